"""Read models built from other services' events: the feeds shops poll, and which reloop unit
each device IMEI is (partner tills name devices by IMEI)."""

from __future__ import annotations

from store_sync.domain import commands
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def record_listing(cmd: commands.RecordListing, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        await uow.feed.listing(cmd.sku, cmd.kind, cmd.title, cmd.grade)
        await uow.commit()


async def record_price(cmd: commands.RecordPrice, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        await uow.feed.price(cmd.sku, cmd.market, cmd.price.amount_minor, cmd.price.currency, cmd.effective_at)
        await uow.commit()


async def record_discontinued(cmd: commands.RecordDiscontinued, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        await uow.feed.discontinued(cmd.sku, cmd.at)
        await uow.commit()


async def record_availability(cmd: commands.RecordAvailability, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        await uow.feed.availability(cmd.sku, cmd.by_location, cmd.as_of)
        await uow.commit()


async def record_unit(cmd: commands.RecordUnitIdentifier, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        await uow.partner.learn_unit(cmd.identifier, cmd.unit_id)
        await uow.commit()
