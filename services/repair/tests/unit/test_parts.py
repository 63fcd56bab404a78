"""A centre's stock of a part: never reserved beyond the shelf, one alert per reorder crossing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from repair.domain.errors import NotEnoughParts
from repair.domain.events import PartNeed, PartsBelowReorderPoint
from repair.domain.parts import PartStock, reserve_all

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _stock(sku: str = "SCREEN-IP13", on_hand: int = 5, reorder_point: int = 2) -> PartStock:
    return PartStock("CENTRE-1", sku, on_hand=on_hand, reorder_point=reorder_point)


def _alerts(stock: PartStock) -> list[tuple[int, int]]:
    return [(e.on_hand, e.reserved) for e in stock.recorder.events if isinstance(e, PartsBelowReorderPoint)]


def test_a_reservation_never_takes_more_than_is_available() -> None:
    stock = _stock(on_hand=2, reorder_point=0)
    stock.reserve(2, at=AT)
    with pytest.raises(NotEnoughParts, match="0 available, 1 needed"):
        stock.reserve(1, at=AT)
    assert (stock.on_hand, stock.reserved) == (2, 2)


def test_falling_to_the_reorder_point_alerts_once_per_crossing() -> None:
    stock = _stock(on_hand=5, reorder_point=2)
    stock.reserve(3, at=AT)  # available 2: the point
    stock.reserve(1, at=AT)  # still below: no second alert
    assert _alerts(stock) == [(5, 3)]
    stock.receive(10, at=AT)  # back above: the next crossing alerts again
    stock.reserve(11, at=AT)
    assert _alerts(stock) == [(5, 3), (15, 15)]


def test_consuming_fitted_parts_takes_them_off_the_shelf_and_their_reservation() -> None:
    stock = _stock(on_hand=5, reorder_point=0)
    stock.reserve(2, at=AT)
    stock.consume(2, at=AT)
    assert (stock.on_hand, stock.reserved, stock.available) == (3, 0, 3)


def test_a_ticket_reserves_all_its_parts_or_none() -> None:
    stocks = {"BATTERY-IP13": _stock("BATTERY-IP13", 1, 0), "SCREEN-IP13": _stock("SCREEN-IP13", 5, 0)}
    needs = (PartNeed("SCREEN-IP13", 1), PartNeed("BATTERY-IP13", 2))
    assert not reserve_all(stocks, needs, at=AT)
    assert [s.reserved for s in stocks.values()] == [0, 0]
    assert reserve_all(stocks, (PartNeed("SCREEN-IP13", 1), PartNeed("BATTERY-IP13", 1)), at=AT)
    assert [s.reserved for s in stocks.values()] == [1, 1]


def test_a_part_the_centre_never_stocked_cannot_be_reserved() -> None:
    assert not reserve_all({}, (PartNeed("CAMERA-IP13", 1),), at=AT)
