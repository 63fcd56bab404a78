"""Apply a sale from any channel: the one path every SaleRecorded takes, online or in a shop.

One unit is never sold twice. A shop hand-over cannot be undone, so it wins over an online claim:
the online hold or sale that held the unit is compensated with an equivalent unit (same SKU, so
same grade) at a location that can serve it, or told that its line is lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from inventory.adapters.repository import AppliedSale, LedgerLine
from inventory.domain import commands, events
from inventory.domain.allocation import Outcome, outcome_for
from inventory.domain.errors import InvalidSale, UnknownSku
from inventory.domain.notices import Notices
from inventory.domain.reservations import Reservation
from inventory.domain.units import Unit
from inventory.service_layer.clock import Clock, utc_now
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_contracts.markets import currency_of
from reloop_shared.context import current_flow


@dataclass(frozen=True)
class SaleToApply:
    """A sale command and the consumed event it came from (for the events it causes)."""

    command: commands.ApplySale
    correlation_id: str
    causation_id: str
    trace_headers: Mapping[str, str] = field(default_factory=dict)


async def apply_sale(cmd: commands.ApplySale, uow: InventoryUnitOfWork, now: Clock = utc_now) -> str:
    flow = current_flow()
    outcomes = await apply_sales([SaleToApply(cmd, flow.correlation_id, flow.causation_id or cmd.sale_id)], uow, now)
    return outcomes[0]


async def apply_sales(sales: Sequence[SaleToApply], uow: InventoryUnitOfWork, now: Clock = utc_now) -> list[str]:
    """Apply sales in order, one transaction for all of them: every read and write is done once
    for the whole batch, and each sale is decided in memory by the same rules, in order, so a
    later sale sees what an earlier one of the batch did."""
    for sale in sales:
        _check_money(sale.command)
    async with uow:
        done = await uow.ledger.already_applied([s.command.sale_id for s in sales])
        todo: list[SaleToApply] = []
        outcomes: list[str] = []
        for sale in sales:
            fresh = sale.command.sale_id not in done
            outcomes.append("applied" if fresh else "duplicate")
            if fresh:
                done.add(sale.command.sale_id)
                todo.append(sale)
        if not todo:
            return outcomes
        for sale in todo:
            if await uow.locations.get(sale.command.location_id) is None:
                raise InvalidSale(f"unknown location {sale.command.location_id}", field="location_id")
        holds = await _locked_holds_and_skus(uow, [s.command for s in todo])
        units = await uow.units.many(
            [x.unit_id for s in todo for x in s.command.lines if x.unit_id and x.kind != "service"], for_update=True
        )
        at = now()
        for sale in todo:
            cmd = sale.command
            with uow.on_behalf_of(sale.correlation_id, sale.causation_id, sale.trace_headers):
                application = _SaleApplication(cmd, uow, holds.get(cmd.reservation_id or ""), at)
                for line in cmd.lines:
                    if line.kind == "accessory":
                        await application.accessory(line)
                    elif line.kind == "refurbished_device":
                        await application.device(line, units.get(line.unit_id or ""))
                await application.finish()
        await uow.ledger.flush()
        await uow.commit()
    return outcomes


async def _locked_holds_and_skus(
    uow: InventoryUnitOfWork, cmds: Sequence[commands.ApplySale]
) -> dict[str, Reservation]:
    """Lock order, everywhere in inventory: SKU rows, then holds, then units. The holds' SKUs are
    locked too, since a consumed hold gives back what the sale did not take."""
    hold_ids = [cmd.reservation_id for cmd in cmds if cmd.reservation_id]
    peeked = await uow.reservations.many(hold_ids, for_update=False) if hold_ids else {}
    stock_lines = [line for cmd in cmds for line in cmd.lines if line.kind != "service"]
    held_skus = [line.sku for hold in peeked.values() for line in hold.lines]
    skus = await uow.skus.lock([*(line.sku for line in stock_lines), *held_skus])
    missing = sorted({line.sku for line in stock_lines} - set(skus))
    if missing:
        raise UnknownSku(f"unknown SKU {', '.join(missing)}", field="lines.sku")
    for line in stock_lines:
        if skus[line.sku].kind != line.kind:
            raise InvalidSale(f"{line.sku} is a {skus[line.sku].kind}, not a {line.kind}", field="lines.kind")
    return await uow.reservations.many(hold_ids) if hold_ids else {}


def _check_money(cmd: commands.ApplySale) -> None:
    expected = currency_of(cmd.market)
    if expected is None:
        raise InvalidSale(f"reloop does not sell in market {cmd.market}", field="market")
    if cmd.currency != expected:
        raise InvalidSale(f"market {cmd.market} sells in {expected}, not {cmd.currency}", field="total.currency")


class _SaleApplication:
    """The state of one sale being applied: what left stock, what conflicted, what it compensated."""

    def __init__(self, cmd: commands.ApplySale, uow: InventoryUnitOfWork, hold: Reservation | None, at: datetime):
        self.cmd = cmd
        self.uow = uow
        self.hold = hold if hold is not None and hold.active else None
        self.at = at
        self.allocated: list[events.AllocatedLine] = []
        self.conflicts: list[events.LineConflict] = []
        self.notices = Notices()
        uow.track(self.notices)

    async def accessory(self, line: commands.SoldLine) -> None:
        held = 0
        if self.hold is not None:
            held = sum(
                x.quantity
                for x in self.hold.lines
                if x.kind == "accessory" and x.sku == line.sku and x.location_id == self.cmd.location_id
            )
        stock = await self.uow.stock.get(line.sku, self.cmd.location_id)
        shortage = stock.sell(line.quantity, held, self.cmd.sale_id, self.at)
        self._allocate(line, None, line.quantity)
        if shortage:
            self._conflict(line, None, "insufficient_stock", "needs_attention")

    async def device(self, line: commands.SoldLine, unit: Unit | None) -> None:
        if unit is None:
            self._conflict(line, line.unit_id, "unknown_unit", "needs_attention")
            return
        if unit.sku != line.sku:
            raise InvalidSale(f"unit {unit.unit_id} is a {unit.sku}, not a {line.sku}", field="lines.unit_id")
        outcome = outcome_for(unit, self.cmd.sale_id, self.cmd.channel, self.cmd.reservation_id)
        match outcome:
            case Outcome.SELL | Outcome.ALREADY_SOLD_HERE:
                if outcome is Outcome.SELL:
                    unit.sell(self.cmd.sale_id, self.cmd.channel, f"sold ({self.cmd.channel})", self.at)
                self._allocate(line, unit, 1)
            case Outcome.SELL_OVER_HOLD:
                other = await self.uow.reservations.holding(unit.unit_id)
                unit.sell(self.cmd.sale_id, self.cmd.channel, "handed over in a shop while held", self.at)
                self._allocate(line, unit, 1)
                if other is not None:
                    await self._compensate_hold(other, unit)
            case Outcome.SELL_OVER_SALE:
                previous_sale = unit.sale_id or ""
                unit.sell(self.cmd.sale_id, self.cmd.channel, "handed over in a shop after an online sale", self.at)
                self._allocate(line, unit, 1)
                await self._compensate_sale(previous_sale, unit)
            case Outcome.SELL_UNEXPECTED:
                unit.sell(self.cmd.sale_id, self.cmd.channel, f"handed over in a shop while {unit.status}", self.at)
                self._allocate(line, unit, 1)
                self._conflict(line, unit.unit_id, "unit_not_sellable", "needs_attention")
            case Outcome.DOUBLE_HANDOVER:
                self._conflict(line, unit.unit_id, "unit_already_sold", "needs_attention", reference=unit.sale_id)
            case Outcome.REPLACE:
                reason = "unit_already_sold" if unit.status == "sold" else "unit_not_sellable"
                replacement = await self._equivalent(line.sku, self.cmd.market, self.cmd.location_id, unit.unit_id)
                if replacement is None:
                    self._conflict(line, unit.unit_id, reason, "needs_attention", reference=unit.sale_id)
                    return
                replacement.sell(self.cmd.sale_id, self.cmd.channel, "replaces a unit taken meanwhile", self.at)
                self._allocate(line, replacement, 1)
                self._conflict(
                    line, unit.unit_id, reason, "reallocated", replacement=replacement.unit_id, reference=unit.sale_id
                )

    async def finish(self) -> None:
        """Give back what the sale's hold held but the sale did not take, end the hold, record the sale."""
        if self.hold is not None:
            sold_units = {a.unit_id for a in self.allocated if a.unit_id}
            for held in self.hold.lines:
                if held.unit_id and held.unit_id not in sold_units:
                    unit = await self.uow.units.get(held.unit_id, for_update=True)
                    if (
                        unit is not None
                        and unit.status == "reserved"
                        and unit.reservation_id == self.hold.reservation_id
                    ):
                        unit.release("hold consumed by a sale without this unit", self.at)
                elif held.kind == "accessory" and held.location_id != self.cmd.location_id:
                    stock = await self.uow.stock.get(held.sku, held.location_id)
                    stock.release(held.quantity, self.hold.reservation_id, self.at)
            self.hold.end("consumed", f"sale {self.cmd.sale_id}", self.at)
        self.uow.ledger.record(
            AppliedSale(
                self.cmd.sale_id,
                self.cmd.channel,
                self.cmd.market,
                self.cmd.location_id,
                [LedgerLine(a.line_id, a.kind, a.sku, a.unit_id, a.quantity, a.location_id) for a in self.allocated],
            )
        )
        self.notices.recorder.record(
            events.SaleAllocated(
                self.cmd.sale_id,
                self.cmd.channel,
                self.cmd.location_id,
                tuple(self.allocated),
                tuple(self.conflicts),
                self.at,
            )
        )

    # --- compensations ------------------------------------------------------------------------

    async def _compensate_hold(self, other: Reservation, taken: Unit) -> None:
        line = other.line_holding(taken.unit_id)
        if line is None:
            return
        replacement = await self._equivalent(taken.sku, other.market, other.location_id, taken.unit_id)
        if replacement is None:
            other.break_line(line, f"unit {taken.unit_id} was handed over in a shop (sale {self.cmd.sale_id})")
            return
        replacement.reserve(other.reservation_id, self.at)
        other.reallocate(
            line, replacement.unit_id, replacement.location_id, f"unit {taken.unit_id} was handed over in a shop"
        )

    async def _compensate_sale(self, previous_sale: str, taken: Unit) -> None:
        origin = await self.uow.ledger.origin(previous_sale)
        ledger_line = await self.uow.ledger.line_with_unit(previous_sale, taken.unit_id)
        if origin is None or ledger_line is None:
            return
        channel, market, location_id = origin
        replacement = await self._equivalent(taken.sku, market, None, taken.unit_id, prefer=location_id)
        reason = f"unit {taken.unit_id} was handed over in a shop (sale {self.cmd.sale_id})"
        if replacement is None:
            await self.uow.ledger.move_line(previous_sale, ledger_line.line_id, None, None)
            self.notices.recorder.record(
                events.SaleUnallocated(previous_sale, ledger_line.line_id, taken.unit_id, reason, self.cmd.sale_id)
            )
            return
        replacement.sell(previous_sale, channel, "replaces a unit handed over in a shop", self.at)
        await self.uow.ledger.move_line(
            previous_sale, ledger_line.line_id, replacement.unit_id, replacement.location_id
        )
        self.notices.recorder.record(
            events.SaleLineReallocated(
                previous_sale,
                ledger_line.line_id,
                taken.unit_id,
                replacement.unit_id,
                replacement.location_id,
                reason,
                self.cmd.sale_id,
            )
        )

    async def _equivalent(
        self, sku: str, market: str, location_id: str | None, exclude: str, *, prefer: str | None = None
    ) -> Unit | None:
        """Another available unit of the same SKU (so the same grade) where the claim can be served."""
        locations = await self.uow.locations.eligible(market, location_id)
        if prefer is not None and prefer not in locations:
            locations.insert(0, prefer)
        found = await self.uow.units.find_available(sku, locations, exclude=[exclude])
        return found[0] if found else None

    def _allocate(self, line: commands.SoldLine, unit: Unit | None, quantity: int) -> None:
        location = unit.location_id if unit is not None else self.cmd.location_id
        self.allocated.append(
            events.AllocatedLine(line.line_id, line.kind, line.sku, unit.unit_id if unit else None, quantity, location)
        )

    def _conflict(
        self,
        line: commands.SoldLine,
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
