"""Who gets a unit, decided on plain objects: no database, no broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inventory.domain import events
from inventory.domain.allocation import SaleContext, allocate, check_sales
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import ApplySale, SoldLine
from inventory.domain.errors import InvalidSale, UnknownSku
from inventory.domain.ledger import AppliedSale, LedgerLine
from inventory.domain.locations import Location
from inventory.domain.reservations import HeldLine, Reservation
from inventory.domain.sale_needs import contested
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
PHONE, CASE = "IPH13-128-EX", "CASE-13"
SHOP, OTHER_SHOP, WAREHOUSE = "paris-shop", "lyon-shop", "wh-fr"


def _context(*units: Unit, holds: tuple[Reservation, ...] = (), ledger: tuple[AppliedSale, ...] = ()) -> SaleContext:
    return SaleContext(
        locations={
            SHOP: Location(SHOP, "own_shop", "FR", SHOP),
            OTHER_SHOP: Location(OTHER_SHOP, "partner_shop", "FR", OTHER_SHOP),
            WAREHOUSE: Location(WAREHOUSE, "warehouse", "FR", WAREHOUSE),
        },
        skus={
            PHONE: SkuInfo(PHONE, "refurbished_device", "excellent", "p1"),
            CASE: SkuInfo(CASE, "accessory", None, "p2"),
        },
        holds={h.reservation_id: h for h in holds},
        units={u.unit_id: u for u in units},
        ledger={s.sale_id: s for s in ledger},
        shipping={"FR": [WAREHOUSE]},
    )


def _unit(unit_id: str, location_id: str = SHOP, status: str = "available", **fields: str) -> Unit:
    return Unit(unit_id, PHONE, "serial", f"SN-{unit_id}", "excellent", location_id, status, **fields)  # type: ignore[arg-type]


def _sale(
    sale_id: str, channel: str, *units: str | None, location_id: str = SHOP, reservation_id: str | None = None
) -> ApplySale:
    lines = tuple(SoldLine(str(n), "refurbished_device", PHONE, 1, u) for n, u in enumerate(units, 1))
    return ApplySale(sale_id, channel, location_id, "FR", "EUR", NOW, lines, reservation_id)


def _online_hold(reservation_id: str, unit: Unit, location_id: str | None = None) -> Reservation:
    unit.reserve(reservation_id, NOW)
    unit.recorder.events.clear()
    line = HeldLine("1", "refurbished_device", PHONE, 1, unit.unit_id, unit.location_id)
    return Reservation(reservation_id, "online", "FR", "active", NOW + timedelta(minutes=15), [line], location_id)


def _sold_online(sale_id: str, unit: Unit) -> AppliedSale:
    unit.sell(sale_id, "online", "sold", NOW)
    unit.recorder.events.clear()
    return AppliedSale(
        sale_id, "online", "FR", WAREHOUSE, [LedgerLine("1", "refurbished_device", PHONE, unit.unit_id, 1, WAREHOUSE)]
    )


def _verdict(allocation_events: list[events.DomainEvent]) -> events.SaleAllocated:
    return next(e for e in allocation_events if isinstance(e, events.SaleAllocated))


def test_a_free_unit_is_sold_to_the_sale_that_names_it() -> None:
    unit = _unit("U1")
    context = _context(unit)
    allocation = allocate(_sale("S1", "own_shop", "U1"), context, NOW)
    assert (unit.status, unit.sale_id) == ("sold", "S1")
    verdict = _verdict(allocation.recorder.events)
    assert [x.unit_id for x in verdict.lines] == ["U1"]
    assert verdict.conflicts == ()
    assert allocation.applied is not None
    assert allocation.applied.lines[0].unit_id == "U1"


def test_a_replayed_sale_is_a_duplicate_and_changes_nothing() -> None:
    unit = _unit("U1")
    context = _context(unit)
    allocate(_sale("S1", "own_shop", "U1"), context, NOW)
    unit.recorder.events.clear()
    replay = allocate(_sale("S1", "own_shop", "U1"), context, NOW)
    assert replay.outcome == "duplicate"
    assert replay.recorder.events == []
    assert unit.recorder.events == []


def test_a_shop_hand_over_of_a_unit_held_online_moves_the_hold_to_an_equivalent_unit() -> None:
    taken, spare = _unit("U1", WAREHOUSE), _unit("U2", WAREHOUSE)
    hold = _online_hold("WEB-1", taken)
    context = _context(taken, spare, holds=(hold,))
    allocation = allocate(_sale("TILL-1", "own_shop", "U1", location_id=WAREHOUSE), context, NOW)
    assert taken.sale_id == "TILL-1"
    assert (spare.status, spare.reservation_id) == ("reserved", "WEB-1")
    moved = [e for e in hold.recorder.events if isinstance(e, events.ReservationReallocated)]
    assert [(e.previous_unit_id, e.unit_id) for e in moved] == [("U1", "U2")]
    assert _verdict(allocation.recorder.events).conflicts == (), "the shop hand-over always wins"


def test_a_shop_hand_over_of_a_held_unit_with_nothing_equivalent_breaks_the_hold_line() -> None:
    taken = _unit("U1")
    hold = _online_hold("WEB-1", taken, location_id=SHOP)
    context = _context(taken, holds=(hold,))
    allocate(_sale("TILL-1", "own_shop", "U1"), context, NOW)
    assert hold.lines == []
    assert [type(e) for e in hold.recorder.events] == [events.ReservationBroken]


def test_a_shop_hand_over_of_a_unit_sold_online_gives_the_online_sale_an_equivalent_unit() -> None:
    taken, spare = _unit("U1", SHOP), _unit("U2", WAREHOUSE)
    earlier = _sold_online("WEB-SALE", taken)
    context = _context(taken, spare, ledger=(earlier,))
    allocation = allocate(_sale("TILL-1", "own_shop", "U1"), context, NOW)
    assert (taken.sale_id, spare.sale_id) == ("TILL-1", "WEB-SALE")
    reallocated = [e for e in allocation.recorder.events if isinstance(e, events.SaleLineReallocated)]
    assert [(e.sale_id, e.previous_unit_id, e.unit_id) for e in reallocated] == [("WEB-SALE", "U1", "U2")]
    assert [(m.sale_id, m.unit_id) for m in allocation.moves] == [("WEB-SALE", "U2")]


def test_an_online_sale_that_loses_its_unit_with_nothing_equivalent_is_told() -> None:
    taken = _unit("U1")
    earlier = _sold_online("WEB-SALE", taken)
    context = _context(taken, ledger=(earlier,))
    allocation = allocate(_sale("TILL-1", "own_shop", "U1"), context, NOW)
    lost = [e for e in allocation.recorder.events if isinstance(e, events.SaleUnallocated)]
    assert [(e.sale_id, e.unit_id, e.taken_by_sale_id) for e in lost] == [("WEB-SALE", "U1", "TILL-1")]
    assert earlier.lines[0].unit_id is None


def test_a_second_shop_handing_over_the_same_unit_is_flagged_and_nothing_moves() -> None:
    unit = _unit("U1")
    context = _context(unit)
    allocate(_sale("TILL-1", "own_shop", "U1"), context, NOW)
    second = allocate(_sale("TILL-2", "partner_shop", "U1", location_id=OTHER_SHOP), context, NOW)
    assert unit.sale_id == "TILL-1"
    conflict = _verdict(second.recorder.events).conflicts[0]
    assert (conflict.reason, conflict.resolution, conflict.conflicting_reference) == (
        "unit_already_sold",
        "needs_attention",
        "TILL-1",
    )


def test_an_online_sale_of_a_unit_sold_in_a_shop_is_served_with_an_equivalent_unit_where_it_sells() -> None:
    sold, spare = _unit("U1"), _unit("U2")
    context = _context(sold, spare)
    allocate(_sale("TILL-1", "own_shop", "U1"), context, NOW)
    online = allocate(_sale("WEB-1", "online", "U1"), context, NOW)
    conflict = _verdict(online.recorder.events).conflicts[0]
    assert (conflict.resolution, conflict.replacement_unit_id) == ("reallocated", "U2")
    assert spare.sale_id == "WEB-1"


def test_an_online_sale_of_a_taken_unit_with_nothing_equivalent_needs_attention() -> None:
    unit = _unit("U1", status="in_repair")
    online = allocate(_sale("WEB-1", "online", "U1"), _context(unit), NOW)
    conflict = _verdict(online.recorder.events).conflicts[0]
    assert (conflict.reason, conflict.resolution) == ("unit_not_sellable", "needs_attention")
    assert unit.status == "in_repair"


def test_a_sale_naming_an_unknown_unit_is_applied_with_the_line_flagged() -> None:
    allocation = allocate(_sale("TILL-1", "own_shop", "NOPE"), _context(), NOW)
    assert [c.reason for c in _verdict(allocation.recorder.events).conflicts] == ["unknown_unit"]


def test_a_sale_consuming_its_hold_gives_back_the_units_it_did_not_take() -> None:
    kept, bought = _unit("U1"), _unit("U2")
    hold = _online_hold("ORDER-1", kept, location_id=SHOP)
    bought.reserve("ORDER-1", NOW)
    hold.lines.append(HeldLine("2", "refurbished_device", PHONE, 1, "U2", SHOP))
    context = _context(kept, bought, holds=(hold,))
    allocate(_sale("ORDER-1", "online", "U2", reservation_id="ORDER-1"), context, NOW)
    assert (bought.status, kept.status, hold.status) == ("sold", "available", "consumed")


def test_accessories_sold_beyond_the_books_are_applied_and_the_shortage_reported() -> None:
    context = _context()
    context.stock[(CASE, SHOP)] = AccessoryStock(CASE, SHOP, on_hand=1)
    sale = ApplySale("TILL-1", "own_shop", SHOP, "FR", "EUR", NOW, (SoldLine("1", "accessory", CASE, 3),))
    allocation = allocate(sale, context, NOW)
    assert context.stock[(CASE, SHOP)].on_hand == 0
    assert [c.reason for c in _verdict(allocation.recorder.events).conflicts] == ["insufficient_stock"]


def test_a_batch_of_sales_of_free_units_contests_nothing_so_no_replacement_is_loaded() -> None:
    units = {u.unit_id: u for u in (_unit("U1"), _unit("U2"))}
    assert contested([_sale("S1", "own_shop", "U1"), _sale("S2", "online", "U2")], units) == {}


def test_a_unit_named_twice_or_taken_elsewhere_contests_its_sku() -> None:
    units = {"U1": _unit("U1")}
    assert contested([_sale("S1", "own_shop", "U1"), _sale("S2", "online", "U1")], units) == {PHONE: 2}


@pytest.mark.parametrize(
    ("sale", "refusal", "field"),
    [
        (_sale("S1", "own_shop", "U1", location_id="nowhere"), InvalidSale, "location_id"),
        (
            ApplySale("S1", "own_shop", SHOP, "FR", "EUR", NOW, (SoldLine("1", "accessory", "NOPE", 1),)),
            UnknownSku,
            "lines.sku",
        ),
        (
            ApplySale("S1", "own_shop", SHOP, "FR", "EUR", NOW, (SoldLine("1", "accessory", PHONE, 1),)),
            InvalidSale,
            "lines.kind",
        ),
    ],
)
def test_a_sale_breaking_a_rule_is_refused_naming_the_field(
    sale: ApplySale, refusal: type[Exception], field: str
) -> None:
    with pytest.raises(refusal) as refused:
        check_sales([sale], _context(_unit("U1")))
    assert getattr(refused.value, "field", None) == field


def test_a_sale_naming_a_unit_of_another_sku_is_refused() -> None:
    other = Unit("U9", CASE, "serial", "SN-U9", "good", SHOP, "available")
    with pytest.raises(InvalidSale) as refused:
        check_sales([_sale("S1", "own_shop", "U9")], _context(other))
    assert refused.value.field == "lines.unit_id"
