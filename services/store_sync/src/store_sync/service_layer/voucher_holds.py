"""A till holds part of a voucher: the request recorded and published in one transaction, then
its answer awaited by reading the request's row, which store-sync's consumer fills in.

Waiting on the row rather than on anything in memory is what lets several replicas serve tills:
the consumer that reads trade-in's answer may run in another process than the request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.domain.errors import NotFound
from store_sync.domain.voucher_holds import PENDING, VoucherHold
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def request_hold(cmd: commands.RequestVoucherHold, uow: StoreSyncUnitOfWork, clock: Clock) -> VoucherHold:
    """Record the till's request and ask trade-in (outbox, same transaction). The same hold id
    again is the same request: it is answered from the row, never asked twice."""
    async with uow:
        shop = await uow.shops.lock(cmd.shop_id)  # one shop's requests one after the other: no race on its ids
        existing = await uow.voucher_holds.get(cmd.shop_id, cmd.hold_id)
        if existing is not None:
            existing.same_request(cmd.code_hash, cmd.amount, cmd.reference)
            return existing
        hold = VoucherHold.request(shop, cmd.hold_id, cmd.code_hash, cmd.amount, cmd.reference, clock.now())
        await uow.voucher_holds.add(hold)
        await uow.commit()
    return hold


async def hold_of(shop_id: str, hold_id: str, uow: StoreSyncUnitOfWork) -> VoucherHold:
    """The shop's hold as it stands; another shop's is not found."""
    async with uow:
        hold = await uow.voucher_holds.get(shop_id, hold_id)
    if hold is None:
        raise NotFound(f"shop {shop_id} has no voucher hold {hold_id}", field="hold_id")
    return hold


async def answered(
    shop_id: str, hold_id: str, unit_of_work: Callable[[], StoreSyncUnitOfWork], *, wait_s: float, poll_s: float
) -> VoucherHold:
    """The hold once trade-in answered it, or as it stands after `wait_s` seconds (still pending)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    while True:
        hold = await hold_of(shop_id, hold_id, unit_of_work())
        left = deadline - loop.time()
        if hold.status != PENDING or left <= 0:
            return hold
        await asyncio.sleep(min(poll_s, left))
