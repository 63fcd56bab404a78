"""The checker's counts see what they count: a zero in the fault suite's summary means nothing
went wrong, not that the check could not see it (a first version read no record at all)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from reloop_contracts import inventory as stock
from tests.faults.checker import Seen, first_of_each, order_breaks, sold_twice


def _change(offset: int, unit: str, before: str | None, after: str, event_id: str | None = None) -> Seen:
    event = stock.UnitStatusChanged(
        unit_id=unit,
        sku="FLT-D00",
        location_id="flt-wh",
        previous_status=before,
        status=after,
        reason="test",
        grade="excellent",
        changed_at=datetime.now(UTC),
    )
    return Seen(0, offset, unit, event_id or str(uuid.uuid4()), event, {})


def test_a_unit_whose_changes_do_not_chain_is_an_order_break() -> None:
    units = [
        _change(0, "U-1", None, "available"),
        _change(1, "U-1", "reserved", "sold"),  # never reserved: an event before it was lost or reordered
        _change(2, "U-2", None, "available"),
        _change(3, "U-2", "available", "reserved"),
    ]
    notes: list[str] = []
    assert order_breaks(units, notes) == 1
    assert "U-1" in notes[0]


def test_a_republished_event_is_no_order_break_and_no_second_sale() -> None:
    sold = _change(1, "U-1", "available", "sold")
    units = [_change(0, "U-1", None, "available"), sold, Seen(0, 2, "U-1", sold.event_id, sold.event, {})]
    assert order_breaks(units, []) == 0
    assert sold_twice(first_of_each(units)) == 0


def test_a_unit_sold_under_two_event_ids_is_sold_twice() -> None:
    units = [
        _change(0, "U-1", None, "available"),
        _change(1, "U-1", "available", "sold"),
        _change(2, "U-1", "sold", "sold"),
    ]
    assert sold_twice(first_of_each(units)) == 1
