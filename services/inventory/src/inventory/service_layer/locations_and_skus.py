"""The reference data stock is kept against: locations (from the admin API and the shops
registered in store-sync) and SKUs (from the catalog's events)."""

from __future__ import annotations

from inventory.domain import commands
from inventory.domain.locations import Location
from inventory.service_layer.unit_of_work import InventoryUnitOfWork


async def register_location(cmd: commands.RegisterLocation, uow: InventoryUnitOfWork) -> None:
    async with uow:
        await uow.locations.upsert(Location(cmd.location_id, cmd.kind, cmd.market, cmd.name, cmd.address))
        await uow.commit()


async def record_sku(cmd: commands.RecordSku, uow: InventoryUnitOfWork) -> None:
    async with uow:
        await uow.skus.upsert(cmd.sku, cmd.kind, cmd.grade, cmd.product_id)
        await uow.commit()


async def discontinue_sku(cmd: commands.DiscontinueSku, uow: InventoryUnitOfWork) -> None:
    async with uow:
        await uow.skus.discontinue(cmd.sku)
        await uow.commit()
