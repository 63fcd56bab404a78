"""How a batch of sales takes stock: the one rule set every channel's sale goes through.

One unit is never sold twice. A hand-over in a shop cannot be undone, so it wins over any online
claim on the unit: the online hold or sale that held it is compensated with an equivalent unit
(same SKU, so same grade) at a location that can serve it, or told that its line is lost. An
online sale never takes a unit held or sold elsewhere: it is served with an equivalent unit, or
the line is reported for attention. Two shops handing over one unit: the second is flagged.

Pure: `allocate` decides one sale on a `SaleContext` loaded beforehand and changes it in place
(the aggregates record their events); it returns what the ledger must keep and the verdicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from inventory.domain import events
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import ApplySale, SoldLine
from inventory.domain.errors import InvalidSale, UnknownSku
from inventory.domain.ledger import AppliedSale, LedgerLine, LineMove
from inventory.domain.locations import Location, eligible
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import SHOP_CHANNELS, Unit


class Outcome(Enum):
    SELL = "sell"
    """The unit is free for this sale (available, or held by this sale's own hold)."""
    ALREADY_SOLD_HERE = "already_sold_here"
    """A replay of this very sale: nothing to do."""
    SELL_OVER_HOLD = "sell_over_hold"
    """Shop hand-over of a unit another channel holds: sell; the hold gets another unit or breaks."""
    SELL_OVER_SALE = "sell_over_sale"
    """Shop hand-over of a unit an online sale already claimed: sell; that sale gets another unit."""
    SELL_UNEXPECTED = "sell_unexpected"
    """Shop hand-over of a unit inventory did not think sellable (in transit, returned...): the
    fact is recorded and flagged for attention."""
    DOUBLE_HANDOVER = "double_handover"
    """Two shops report handing over the same unit: one of them scanned the wrong unit. The first
    stands; the second is flagged for attention, nothing moves."""
    REPLACE = "replace"
    """An online sale cannot have this unit: serve the line with an equivalent unit, if any."""


def outcome_for(unit: Unit, sale_id: str, channel: str, reservation_id: str | None) -> Outcome:
    if unit.status == "sold" and unit.sale_id == sale_id:
        return Outcome.ALREADY_SOLD_HERE
    if unit.status == "available":
        return Outcome.SELL
    if unit.status == "reserved" and reservation_id is not None and unit.reservation_id == reservation_id:
        return Outcome.SELL
    if channel not in SHOP_CHANNELS:
        return Outcome.REPLACE
    if unit.status == "reserved":
        return Outcome.SELL_OVER_HOLD
    if unit.status == "sold":
        return Outcome.DOUBLE_HANDOVER if unit.sale_channel in SHOP_CHANNELS else Outcome.SELL_OVER_SALE
    return Outcome.SELL_UNEXPECTED


StockKey = tuple[str, str]
"""(sku, location_id) of an accessory stock row."""


@dataclass
class SaleContext:
    """Everything a batch of sales is decided on. The decision changes it in place, so a later sale
    of the batch sees what an earlier one did."""

    applied: set[str] = field(default_factory=set)
    """Sales already in the ledger (and, as the batch is decided, those it applied)."""
    locations: Mapping[str, Location] = field(default_factory=dict)
    skus: Mapping[str, SkuInfo] = field(default_factory=dict)
    holds: dict[str, Reservation] = field(default_factory=dict)
    """The sales' own holds, and the active holds on a contested unit."""
    units: dict[str, Unit] = field(default_factory=dict)
    """The units the sales name, the units their holds hold, and replacement candidates."""
    stock: dict[StockKey, AccessoryStock] = field(default_factory=dict)
    ledger: dict[str, AppliedSale] = field(default_factory=dict)
    """Earlier sales holding a contested unit, then the sales of this batch as they are applied."""
    shipping: Mapping[str, list[str]] = field(default_factory=dict)
    """Per market, where online orders ship from, in order of preference."""

    def holding(self, unit_id: str) -> Reservation | None:
        """The active hold one of whose lines holds `unit_id`."""
        return next((h for h in self.holds.values() if h.active and h.line_holding(unit_id) is not None), None)

    def equivalent(
        self, sku: str, market: str, location_id: str | None, exclude: str, *, prefer: str | None = None
    ) -> Unit | None:
        """Another available unit of the same SKU (so the same grade) where a claim can be served:
        the first eligible location in order of preference, then the lowest unit id."""
        locations = eligible(location_id, self.shipping.get(market, []))
        if prefer is not None and prefer not in locations:
            locations.insert(0, prefer)
        rank = {location: position for position, location in enumerate(locations)}
        free = [
            u
            for u in self.units.values()
            if u.sku == sku and u.status == "available" and u.location_id in rank and u.unit_id != exclude
        ]
        return min(free, key=lambda u: (rank[u.location_id], u.unit_id), default=None)


@dataclass
class SaleAllocation:
    """What deciding one sale produced beside the aggregates it changed: its ledger entry, the
    lines of earlier sales it moved, and its verdicts (recorded here, like an aggregate's events)."""

    sale_id: str
    outcome: str
    """applied | duplicate"""
    applied: AppliedSale | None = None
    moves: list[LineMove] = field(default_factory=list)
    recorder: events.EventRecorder[events.DomainEvent] = field(
        default_factory=events.EventRecorder, repr=False, compare=False
    )

    @property
    def verdict(self) -> events.SaleAllocated | None:
        return next((e for e in self.recorder.events if isinstance(e, events.SaleAllocated)), None)


def check_sales(sales: Sequence[ApplySale], context: SaleContext) -> None:
    """Refuse the whole batch if one of its new sales breaks a rule (an unknown location or SKU, a
    line of the wrong kind, a unit of another SKU): such a sale is not applied at all."""
    fresh = [cmd for cmd in sales if cmd.sale_id not in context.applied]
    for cmd in fresh:
        if cmd.location_id not in context.locations:
            raise InvalidSale(f"unknown location {cmd.location_id}", field="location_id")
    lines = [line for cmd in fresh for line in cmd.lines if line.kind != "service"]
    missing = sorted({line.sku for line in lines} - set(context.skus))
    if missing:
        raise UnknownSku(f"unknown SKU {', '.join(missing)}", field="lines.sku")
    for line in lines:
        known = context.skus[line.sku]
        if known.kind != line.kind:
            raise InvalidSale(f"{line.sku} is a {known.kind}, not a {line.kind}", field="lines.kind")
        unit = context.units.get(line.unit_id or "") if line.kind == "refurbished_device" else None
        if unit is not None and unit.sku != line.sku:
            raise InvalidSale(f"unit {unit.unit_id} is a {unit.sku}, not a {line.sku}", field="lines.unit_id")


def allocate(cmd: ApplySale, context: SaleContext, now: datetime) -> SaleAllocation:
    """Decide one sale on `context` (changed in place). A sale already applied changes nothing."""
    if cmd.sale_id in context.applied:
        return SaleAllocation(cmd.sale_id, "duplicate")
    context.applied.add(cmd.sale_id)
    sale = _Sale(cmd, context, now)
    for line in cmd.lines:
        if line.kind == "accessory":
            sale.accessory(line)
        elif line.kind == "refurbished_device":
            sale.device(line, context.units.get(line.unit_id or ""))
    return sale.finish()


class _Sale:
    """One sale being decided: what left stock, what conflicted, what it compensated."""

    def __init__(self, cmd: ApplySale, context: SaleContext, at: datetime) -> None:
        self.cmd = cmd
        self.context = context
        hold = context.holds.get(cmd.reservation_id or "")
        self.hold = hold if hold is not None and hold.active else None
        self.at = at
        self.allocated: list[events.AllocatedLine] = []
        self.conflicts: list[events.LineConflict] = []
        self.result = SaleAllocation(cmd.sale_id, "applied")

    def accessory(self, line: SoldLine) -> None:
        held = 0
        if self.hold is not None:
            held = sum(
                x.quantity
                for x in self.hold.lines
                if x.kind == "accessory" and x.sku == line.sku and x.location_id == self.cmd.location_id
            )
        stock = self.context.stock[(line.sku, self.cmd.location_id)]
        shortage = stock.sell(line.quantity, held, self.cmd.sale_id, self.at)
        self._allocate(line, None, line.quantity)
        if shortage:
            self._conflict(line, None, "insufficient_stock", "needs_attention")

    def device(self, line: SoldLine, unit: Unit | None) -> None:
        if unit is None:
            self._conflict(line, line.unit_id, "unknown_unit", "needs_attention")
            return
        cmd = self.cmd
        outcome = outcome_for(unit, cmd.sale_id, cmd.channel, cmd.reservation_id)
        match outcome:
            case Outcome.SELL | Outcome.ALREADY_SOLD_HERE:
                if outcome is Outcome.SELL:
                    unit.sell(cmd.sale_id, cmd.channel, f"sold ({cmd.channel})", self.at)
                self._allocate(line, unit, 1)
            case Outcome.SELL_OVER_HOLD:
                other = self.context.holding(unit.unit_id)
                unit.sell(cmd.sale_id, cmd.channel, "handed over in a shop while held", self.at)
                self._allocate(line, unit, 1)
                if other is not None:
                    self._compensate_hold(other, unit)
            case Outcome.SELL_OVER_SALE:
                previous_sale = unit.sale_id or ""
                unit.sell(cmd.sale_id, cmd.channel, "handed over in a shop after an online sale", self.at)
                self._allocate(line, unit, 1)
                self._compensate_sale(previous_sale, unit)
            case Outcome.SELL_UNEXPECTED:
                unit.sell(cmd.sale_id, cmd.channel, f"handed over in a shop while {unit.status}", self.at)
                self._allocate(line, unit, 1)
                self._conflict(line, unit.unit_id, "unit_not_sellable", "needs_attention")
            case Outcome.DOUBLE_HANDOVER:
                self._conflict(line, unit.unit_id, "unit_already_sold", "needs_attention", reference=unit.sale_id)
            case Outcome.REPLACE:
                reason = "unit_already_sold" if unit.status == "sold" else "unit_not_sellable"
                replacement = self.context.equivalent(line.sku, cmd.market, cmd.location_id, unit.unit_id)
                if replacement is None:
                    self._conflict(line, unit.unit_id, reason, "needs_attention", reference=unit.sale_id)
                    return
                replacement.sell(cmd.sale_id, cmd.channel, "replaces a unit taken meanwhile", self.at)
                self._allocate(line, replacement, 1)
                self._conflict(
                    line, unit.unit_id, reason, "reallocated", replacement=replacement.unit_id, reference=unit.sale_id
                )

    def finish(self) -> SaleAllocation:
        """Give back what the sale's hold held but the sale did not take, end the hold, record the sale."""
        cmd = self.cmd
        if self.hold is not None:
            sold_units = {a.unit_id for a in self.allocated if a.unit_id}
            for held in self.hold.lines:
                if held.unit_id and held.unit_id not in sold_units:
                    unit = self.context.units.get(held.unit_id)
                    if (
                        unit is not None
                        and unit.status == "reserved"
                        and unit.reservation_id == self.hold.reservation_id
                    ):
                        unit.release("hold consumed by a sale without this unit", self.at)
                elif held.kind == "accessory" and held.location_id != cmd.location_id:
                    stock = self.context.stock[(held.sku, held.location_id)]
                    stock.release(held.quantity, self.hold.reservation_id, self.at)
            self.hold.end("consumed", f"sale {cmd.sale_id}", self.at)
        applied = AppliedSale(
            cmd.sale_id,
            cmd.channel,
            cmd.market,
            cmd.location_id,
            [LedgerLine(a.line_id, a.kind, a.sku, a.unit_id, a.quantity, a.location_id) for a in self.allocated],
        )
        self.context.ledger[cmd.sale_id] = applied
        self.result.applied = applied
        self.result.recorder.record(
            events.SaleAllocated(
                cmd.sale_id, cmd.channel, cmd.location_id, tuple(self.allocated), tuple(self.conflicts), self.at
            )
        )
        return self.result

    # --- compensations ------------------------------------------------------------------------

    def _compensate_hold(self, other: Reservation, taken: Unit) -> None:
        line = other.line_holding(taken.unit_id)
        if line is None:
            return
        replacement = self.context.equivalent(taken.sku, other.market, other.location_id, taken.unit_id)
        if replacement is None:
            other.break_line(line, f"unit {taken.unit_id} was handed over in a shop (sale {self.cmd.sale_id})")
            return
        replacement.reserve(other.reservation_id, self.at)
        other.reallocate(
            line, replacement.unit_id, replacement.location_id, f"unit {taken.unit_id} was handed over in a shop"
        )

    def _compensate_sale(self, previous_sale: str, taken: Unit) -> None:
        origin = self.context.ledger.get(previous_sale)
        ledger_line = origin.line_with_unit(taken.unit_id) if origin is not None else None
        if origin is None or ledger_line is None:
            return
        replacement = self.context.equivalent(taken.sku, origin.market, None, taken.unit_id, prefer=origin.location_id)
        reason = f"unit {taken.unit_id} was handed over in a shop (sale {self.cmd.sale_id})"
        if replacement is None:
            self.result.moves.append(origin.move(ledger_line.line_id, None, None))
            self.result.recorder.record(
                events.SaleUnallocated(previous_sale, ledger_line.line_id, taken.unit_id, reason, self.cmd.sale_id)
            )
            return
        replacement.sell(previous_sale, origin.channel, "replaces a unit handed over in a shop", self.at)
        line_id = ledger_line.line_id
        self.result.moves.append(origin.move(line_id, replacement.unit_id, replacement.location_id))
        self.result.recorder.record(
            events.SaleLineReallocated(
                previous_sale,
                line_id,
                taken.unit_id,
                replacement.unit_id,
                replacement.location_id,
                reason,
                self.cmd.sale_id,
            )
        )

    def _allocate(self, line: SoldLine, unit: Unit | None, quantity: int) -> None:
        location = unit.location_id if unit is not None else self.cmd.location_id
        self.allocated.append(
            events.AllocatedLine(line.line_id, line.kind, line.sku, unit.unit_id if unit else None, quantity, location)
        )

    def _conflict(
        self,
        line: SoldLine,
        unit_id: str | None,
        reason: str,
        resolution: str,
        *,
        replacement: str | None = None,
        reference: str | None = None,
    ) -> None:
        self.conflicts.append(
            events.LineConflict(line.line_id, line.sku, unit_id, reason, resolution, replacement, reference)
        )
