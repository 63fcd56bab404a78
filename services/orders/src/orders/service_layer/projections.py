"""The storefront's read side: the catalog's prices and inventory's availability, as they arrive."""

from __future__ import annotations

import logging

from orders.domain import commands
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts.markets import currency_of

log = logging.getLogger(__name__)


async def record_listing(cmd: commands.RecordListing, uow: OrdersUnitOfWork) -> None:
    async with uow:
        await uow.price_list.record_listing(cmd.sku, cmd.kind, cmd.title, cmd.listed_at)
        await uow.commit()


async def record_price(cmd: commands.RecordPrice, uow: OrdersUnitOfWork) -> None:
    if cmd.price.currency != currency_of(cmd.market):
        # A market sells in its one currency: such a price would make a sale no one can record.
        log.warning("price in a foreign currency skipped", extra={"sku": cmd.sku, "market": cmd.market})
        return
    async with uow:
        await uow.price_list.record_price(cmd.sku, cmd.market, cmd.price, cmd.effective_at)
        await uow.commit()


async def record_discontinued(cmd: commands.RecordDiscontinued, uow: OrdersUnitOfWork) -> None:
    async with uow:
        await uow.price_list.record_discontinued(cmd.sku, cmd.discontinued_at)
        await uow.commit()


async def record_availability(cmd: commands.RecordAvailability, uow: OrdersUnitOfWork) -> None:
    async with uow:
        await uow.price_list.record_availability(cmd.sku, dict(cmd.by_market), cmd.as_of)
        await uow.commit()
