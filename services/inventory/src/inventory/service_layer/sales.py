"""Apply sales from any channel: the one path every SaleRecorded takes, online or in a shop.

Load, decide, save: everything a batch of sales needs is loaded at once, each sale is decided in
memory by the pure rules of `domain.allocation` (in order, so a later sale sees what an earlier one
did), and what changed is saved in one transaction with the events it raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from inventory.domain import commands
from inventory.domain.allocation import SaleAllocation, allocate, check_sales
from inventory.domain.errors import InvalidSale
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_contracts.markets import currency_of
from reloop_shared.clock import SYSTEM_CLOCK, Clock
from reloop_shared.context import current_flow


@dataclass(frozen=True)
class SaleToApply:
    """A sale command and the consumed event it came from (for the events it causes)."""

    command: commands.ApplySale
    correlation_id: str
    causation_id: str
    trace_headers: Mapping[str, str] = field(default_factory=dict)


async def apply_sale(cmd: commands.ApplySale, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> str:
    flow = current_flow()
    outcomes = await apply_sales([SaleToApply(cmd, flow.correlation_id, flow.causation_id or cmd.sale_id)], uow, clock)
    return outcomes[0]


async def apply_sales(sales: Sequence[SaleToApply], uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> list[str]:
    """Apply sales in order, one transaction for all of them; each outcome is applied or duplicate."""
    for sale in sales:
        _check_money(sale.command)
    commands_ = [sale.command for sale in sales]
    async with uow:
        context = await uow.sales.context_for(commands_)
        check_sales(commands_, context)
        at = clock.now()
        allocations: list[SaleAllocation] = []
        for sale in sales:
            # Each sale's events name the consumed event that caused them.
            with uow.on_behalf_of(sale.correlation_id, sale.causation_id, sale.trace_headers):
                allocation = allocate(sale.command, context, at)
                uow.track(allocation)
            allocations.append(allocation)
        await uow.ledger.save(
            [a.applied for a in allocations if a.applied is not None], [m for a in allocations for m in a.moves]
        )
        await uow.commit()
    return [a.outcome for a in allocations]


def _check_money(cmd: commands.ApplySale) -> None:
    expected = currency_of(cmd.market)
    if expected is None:
        raise InvalidSale(f"reloop does not sell in market {cmd.market}", field="market")
    if cmd.currency != expected:
        raise InvalidSale(f"market {cmd.market} sells in {expected}, not {cmd.currency}", field="total.currency")
