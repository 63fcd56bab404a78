"""How a hold takes stock and gives it back: the rules behind reserve, release and expiry.

Pure: `hold` decides a request on a `HoldContext` loaded beforehand. A hold serves every line or
none, so the whole request is planned first and stock changes only once every line has a place;
a rejection changes nothing. `give_back` and `expire` end holds on a `HeldStock` loaded beforehand
and return what they still hold. Nothing here awaits.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from inventory.domain import events
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import RequestedLine, Reserve
from inventory.domain.reservations import HeldLine, Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit
from inventory.domain.verdicts import Verdicts

StockKey = tuple[str, str]
"""(sku, location_id) of an accessory stock row."""

DEVICE, ACCESSORY, SERVICE = "refurbished_device", "accessory", "service"


def device_lines(cmd: Reserve) -> list[RequestedLine]:
    """The lines that hold a unit (plans are not stock; accessories are counted, not units)."""
    return [line for line in cmd.lines if line.kind not in {ACCESSORY, SERVICE}]


def named_units(cmd: Reserve) -> list[str]:
    """The units the request asks for by id (a shop hold)."""
    return sorted({line.unit_id for line in device_lines(cmd) if line.unit_id})


def free_units_wanted(cmd: Reserve) -> dict[str, int]:
    """How many free units of each SKU deciding the request may look at: one per line that takes
    any unit, and one more to offer as a substitute."""
    wanted = Counter(line.sku for line in device_lines(cmd) if line.unit_id is None)
    return {line.sku: wanted[line.sku] + 1 for line in device_lines(cmd)}


@dataclass
class HoldContext:
    """Everything a hold request is decided on, loaded (and locked) at once."""

    answered: bool = False
    """The request was confirmed or rejected already (a redelivery)."""
    skus: Mapping[str, SkuInfo] = field(default_factory=dict)
    """The known SKUs among the request's."""
    locations: Sequence[str] = ()
    """Where the request may be served, in order of preference."""
    units: Mapping[str, Unit] = field(default_factory=dict)
    """The units the request names, and free units of its SKUs at those locations."""
    stock: Mapping[StockKey, AccessoryStock] = field(default_factory=dict)
    """The accessory rows of its SKUs with stock free at those locations."""


@dataclass
class HoldDecision:
    outcome: str
    """confirmed | rejected | duplicate"""
    reservation: Reservation | None = None
    """The confirmed hold, to add (the units and stock it holds were changed in place)."""
    rejection: Verdicts | None = None
    """The answer to a request that cannot be served; nothing was held."""
    reason: str = ""


def hold(cmd: Reserve, context: HoldContext, now: datetime) -> HoldDecision:
    """Hold every line, or nothing: a rejection says which lines failed and offers substitutes
    (another unit of the same SKU, hence the same grade, at a location that can serve it)."""
    if context.answered:
        return HoldDecision("duplicate")
    unknown = [line.line_id for line in cmd.lines if line.sku not in context.skus]
    if unknown:
        return _rejected(cmd, "unknown_sku", "no such SKU in the catalog", unknown, [])
    plan = _Plan(cmd, context)
    for line in cmd.lines:
        if line.kind == SERVICE:
            continue  # plans are not stock
        if line.kind == ACCESSORY:
            plan.accessory(line)
        else:
            plan.device(line)
    if plan.failed:
        failed = set(plan.failed)
        reason = "unit_taken" if any(line.unit_id for line in cmd.lines if line.line_id in failed) else "unavailable"
        detail = f"lines {', '.join(plan.failed)} cannot be served"
        return _rejected(cmd, reason, detail, plan.failed, plan.substitutes)
    for unit in plan.units:
        unit.reserve(cmd.reservation_id, now)
    for (sku, location), quantity in plan.quantities.items():
        context.stock[(sku, location)].reserve(quantity, cmd.reservation_id, now)
    reservation = Reservation.confirm(
        cmd.reservation_id, cmd.channel, cmd.market, cmd.location_id, plan.held, cmd.hold_seconds, now
    )
    return HoldDecision("confirmed", reservation=reservation)


def _rejected(
    cmd: Reserve, reason: str, detail: str, failed: list[str], substitutes: list[events.OfferedSubstitute]
) -> HoldDecision:
    rejected = events.ReservationRejected(cmd.reservation_id, reason, detail, tuple(failed), tuple(substitutes))
    return HoldDecision("rejected", rejection=Verdicts.of(rejected), reason=reason)


class _Plan:
    """Where each line of one request would be served; nothing changes until every line has a place."""

    def __init__(self, cmd: Reserve, context: HoldContext) -> None:
        self.context = context
        self.rank = {location: position for position, location in enumerate(context.locations)}
        self.named = set(named_units(cmd))
        self.units: list[Unit] = []
        self.taken: set[str] = set()
        self.quantities: Counter[StockKey] = Counter()
        self.held: list[HeldLine] = []
        self.failed: list[str] = []
        self.substitutes: list[events.OfferedSubstitute] = []

    def accessory(self, line: RequestedLine) -> None:
        """The first location, in order of preference, with the quantity still free."""
        for location in self.context.locations:
            row = self.context.stock.get((line.sku, location))
            if row is not None and row.available - self.quantities[(line.sku, location)] >= line.quantity:
                self.quantities[(line.sku, location)] += line.quantity
                self.held.append(HeldLine(line.line_id, line.kind, line.sku, line.quantity, None, location))
                return
        self.failed.append(line.line_id)

    def device(self, line: RequestedLine) -> None:
        unit = self._named(line) if line.unit_id is not None else self._first_free(line.sku)
        if unit is None:
            self.failed.append(line.line_id)
            offered = self._first_free(line.sku)
            if offered is not None:
                self.substitutes.append(
                    events.OfferedSubstitute(line.line_id, line.sku, offered.unit_id, offered.location_id)
                )
            return
        self.units.append(unit)
        self.taken.add(unit.unit_id)
        self.held.append(HeldLine(line.line_id, line.kind, line.sku, 1, unit.unit_id, unit.location_id))

    def _named(self, line: RequestedLine) -> Unit | None:
        unit = self.context.units.get(line.unit_id or "")
        if unit is None or unit.sku != line.sku or not self._free(unit):
            return None
        return unit

    def _first_free(self, sku: str) -> Unit | None:
        """The first free unit of `sku`, by location preference then id; a unit another line of the
        request names is left to that line."""
        free = [
            u for u in self.context.units.values() if u.sku == sku and u.unit_id not in self.named and self._free(u)
        ]
        return min(free, key=lambda u: (self.rank[u.location_id], u.unit_id), default=None)

    def _free(self, unit: Unit) -> bool:
        return unit.status == "available" and unit.location_id in self.rank and unit.unit_id not in self.taken


@dataclass
class HeldStock:
    """Holds to end and what they hold, loaded (and locked) at once."""

    holds: Mapping[str, Reservation] = field(default_factory=dict)
    units: Mapping[str, Unit] = field(default_factory=dict)
    stock: Mapping[StockKey, AccessoryStock] = field(default_factory=dict)


def give_back(hold: Reservation, held: HeldStock, outcome: str, reason: str, now: datetime) -> bool:
    """End `hold` and give back what it still holds (a unit a sale took meanwhile is not its to
    give); False if it had ended already."""
    if not hold.active:
        return False
    for line in hold.lines:
        if line.unit_id is not None:
            unit = held.units.get(line.unit_id)
            if unit is not None and unit.status == "reserved" and unit.reservation_id == hold.reservation_id:
                unit.release(f"hold {outcome}", now)
        elif line.kind == ACCESSORY:
            held.stock[(line.sku, line.location_id)].release(line.quantity, hold.reservation_id, now)
    hold.end(outcome, reason, now)
    return True


def expire(held: HeldStock, now: datetime) -> list[str]:
    """End every hold whose time is up (one consumed or released meanwhile is left alone); the ids
    of the holds expired, earliest first."""
    due = sorted((h for h in held.holds.values() if h.is_expired(now)), key=lambda h: (h.expires_at, h.reservation_id))
    return [h.reservation_id for h in due if give_back(h, held, "expired", "the hold was not used in time", now)]
