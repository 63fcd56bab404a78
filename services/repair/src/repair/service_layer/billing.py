"""The local billing ledger's own use cases: a subscription's charges, refunds, and the declines
staff script to rehearse a failing card."""

from __future__ import annotations

from reloop_contracts.amounts import Money
from reloop_shared.clock import Clock
from repair.service_layer.subscription_ports import LedgerEntry, SubscriptionUnitOfWork
from repair.service_layer.subscriptions import owned


async def charges(uow: SubscriptionUnitOfWork, subscription_id: str, customer_id: str | None) -> list[LedgerEntry]:
    async with uow:
        await owned(uow, subscription_id, customer_id)
        return await uow.billing.entries(subscription_id)


async def script_declines(uow: SubscriptionUnitOfWork, subscription_id: str, count: int, reason: str) -> None:
    async with uow:
        await owned(uow, subscription_id, None, for_update=True)
        await uow.billing.script_declines(subscription_id, count, reason)
        await uow.commit()


async def refund(
    uow: SubscriptionUnitOfWork, subscription_id: str, charge_id: str, amount: Money, reason: str, clock: Clock
) -> LedgerEntry:
    """Give money back on a charge (goodwill, a mistake): recorded in the ledger; coverage is not
    touched (cancelling is its own step)."""
    async with uow:
        await owned(uow, subscription_id, None, for_update=True)
        entry = await uow.billing.refund(charge_id, amount, reason, clock.now())
        await uow.commit()
    return entry
