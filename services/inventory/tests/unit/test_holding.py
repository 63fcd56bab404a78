"""The hold rules on plain objects: all lines or nothing, decided before anything changes, and
holds that end give back what they still hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inventory.domain import events
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import RequestedLine, Reserve
from inventory.domain.holding import HeldStock, HoldContext, expire, give_back, hold
from inventory.domain.reservations import HeldLine, Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
PHONE, CASE = "IPH13", "CASE-13"
SKUS = {PHONE: SkuInfo(PHONE, "refurbished_device", "good", "p1"), CASE: SkuInfo(CASE, "accessory", None, "p2")}


def _unit(unit_id: str, location_id: str = "wh-1", status: str = "available", held_by: str | None = None) -> Unit:
    return Unit(unit_id, PHONE, "serial", f"SN-{unit_id}", "good", location_id, status, reservation_id=held_by)


def _request(*lines: RequestedLine) -> Reserve:
    return Reserve("R1", "online", "FR", lines, None, 900)


def _phone(line_id: str = "1", unit_id: str | None = None) -> RequestedLine:
    return RequestedLine(line_id, "refurbished_device", PHONE, 1, unit_id)


def _cases(line_id: str, quantity: int) -> RequestedLine:
    return RequestedLine(line_id, "accessory", CASE, quantity)


def _context(
    *units: Unit, stock: dict[str, int] | None = None, locations: tuple[str, ...] = ("wh-1", "wh-2")
) -> HoldContext:
    rows = {(CASE, place): AccessoryStock(CASE, place, n) for place, n in (stock or {}).items()}
    return HoldContext(False, SKUS, locations, {u.unit_id: u for u in units}, rows)


def test_a_hold_on_every_line_holds_the_unit_and_the_accessories() -> None:
    context = _context(_unit("U1"), stock={"wh-1": 2})
    decision = hold(_request(_phone(), _cases("2", 2)), context, NOW)

    assert decision.outcome == "confirmed"
    assert decision.reservation is not None
    assert [(x.line_id, x.unit_id, x.quantity, x.location_id) for x in decision.reservation.lines] == [
        ("1", "U1", 1, "wh-1"),
        ("2", None, 2, "wh-1"),
    ]
    assert decision.reservation.expires_at == NOW + timedelta(seconds=900)
    assert (context.units["U1"].status, context.units["U1"].reservation_id) == ("reserved", "R1")
    assert context.stock[(CASE, "wh-1")].reserved == 2


def test_a_free_unit_is_taken_where_the_request_prefers_then_by_lowest_id() -> None:
    context = _context(_unit("U9", "wh-1"), _unit("U1", "wh-2"), _unit("U0", "elsewhere"))
    decision = hold(_request(_phone("1"), _phone("2")), context, NOW)

    assert decision.reservation is not None
    assert [x.unit_id for x in decision.reservation.lines] == ["U9", "U1"]
    assert context.units["U0"].status == "available", "not a location the request may be served from"


def test_a_request_that_cannot_serve_one_line_changes_nothing_and_offers_a_substitute() -> None:
    context = _context(_unit("U1", status="sold"), _unit("U2"), stock={"wh-1": 1})
    decision = hold(_request(_phone(unit_id="U1"), _cases("2", 1)), context, NOW)

    assert (decision.outcome, decision.reservation, decision.reason) == ("rejected", None, "unit_taken")
    assert decision.rejection is not None
    [rejected] = decision.rejection.recorder.events
    assert isinstance(rejected, events.ReservationRejected)
    assert rejected.failed_lines == ("1",)
    assert rejected.substitutes == (events.OfferedSubstitute("1", PHONE, "U2", "wh-1"),)
    assert context.stock[(CASE, "wh-1")].reserved == 0, "all or nothing"
    assert not context.stock[(CASE, "wh-1")].recorder.events
    assert not context.units["U2"].recorder.events


def test_lines_that_ask_for_more_than_is_free_are_unavailable() -> None:
    decision = hold(_request(_phone("1"), _phone("2")), _context(_unit("U1")), NOW)

    assert (decision.outcome, decision.reason) == ("rejected", "unavailable")
    assert decision.rejection is not None
    [rejected] = decision.rejection.recorder.events
    assert isinstance(rejected, events.ReservationRejected)
    assert (rejected.failed_lines, rejected.substitutes) == (("2",), ())


def test_a_request_naming_an_unknown_sku_is_rejected_as_such() -> None:
    unknown = RequestedLine("1", "refurbished_device", "NOPE", 1)
    decision = hold(_request(unknown), _context(_unit("U1")), NOW)
    assert (decision.outcome, decision.reason) == ("rejected", "unknown_sku")


def test_a_request_answered_already_is_a_duplicate_and_decides_nothing() -> None:
    assert hold(_request(_phone()), HoldContext(answered=True), NOW).outcome == "duplicate"


def test_a_unit_another_line_names_is_left_to_that_line() -> None:
    context = _context(_unit("U1"), _unit("U2"))
    decision = hold(_request(_phone("1"), _phone("2", unit_id="U1")), context, NOW)

    assert decision.reservation is not None
    assert [(x.line_id, x.unit_id) for x in decision.reservation.lines] == [("1", "U2"), ("2", "U1")]


def test_accessory_lines_of_one_sku_are_served_from_the_next_location_when_the_first_runs_out() -> None:
    context = _context(stock={"wh-1": 2, "wh-2": 5})
    decision = hold(_request(_cases("1", 2), _cases("2", 2)), context, NOW)

    assert decision.reservation is not None
    assert [(x.line_id, x.location_id) for x in decision.reservation.lines] == [("1", "wh-1"), ("2", "wh-2")]
    assert (context.stock[(CASE, "wh-1")].reserved, context.stock[(CASE, "wh-2")].reserved) == (2, 2)


def _held(*lines: HeldLine, expires_at: datetime = NOW, reservation_id: str = "R1") -> Reservation:
    return Reservation(reservation_id, "online", "FR", "active", expires_at, list(lines))


def test_a_hold_given_back_releases_its_unit_and_accessories_and_ends() -> None:
    unit = _unit("U1", status="reserved", held_by="R1")
    stock = AccessoryStock(CASE, "wh-1", on_hand=3, reserved=2)
    reservation = _held(
        HeldLine("1", "refurbished_device", PHONE, 1, "U1", "wh-1"), HeldLine("2", "accessory", CASE, 2, None, "wh-1")
    )
    held = HeldStock({"R1": reservation}, {"U1": unit}, {(CASE, "wh-1"): stock})

    assert give_back(reservation, held, "released", "checkout abandoned", NOW)

    assert (unit.status, unit.reservation_id) == ("available", None)
    assert stock.reserved == 0
    assert reservation.status == "released"
    assert not give_back(reservation, held, "released", "again", NOW), "an ended hold gives nothing back twice"


def test_a_hold_given_back_leaves_a_unit_a_sale_took_meanwhile() -> None:
    sold = _unit("U1", status="sold")
    reservation = _held(HeldLine("1", "refurbished_device", PHONE, 1, "U1", "wh-1"))

    give_back(reservation, HeldStock({"R1": reservation}, {"U1": sold}), "expired", "time is up", NOW)

    assert sold.status == "sold"
    assert reservation.status == "expired"


def test_only_holds_whose_time_is_up_expire_earliest_first() -> None:
    late = _held(expires_at=NOW - timedelta(seconds=1), reservation_id="R-late")
    early = _held(expires_at=NOW - timedelta(minutes=5), reservation_id="R-early")
    running = _held(expires_at=NOW + timedelta(seconds=1), reservation_id="R-running")
    held = HeldStock({h.reservation_id: h for h in (late, early, running)})

    assert expire(held, NOW) == ["R-early", "R-late"]
    assert [h.status for h in (late, early, running)] == ["expired", "expired", "active"]
