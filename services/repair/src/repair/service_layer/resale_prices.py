"""The catalog's refurbished SKUs and their current prices per market, kept from `catalog.skus.v1`
so a diagnosis can tell what the device resells for (`domain/resale_values.py`).

Each handler joins the consuming transaction (the consumer passes a unit of work on it), so the
processed-event record and the projection's change commit together. Nothing is published.
"""

from __future__ import annotations

from repair.domain import commands
from repair.domain.resale_values import ResalePrice, listing_of, supersedes
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def when_sku_listed_keep_it(cmd: commands.RecordSkuListing, uow: RepairUnitOfWork) -> None:
    listing = listing_of(cmd.sku, cmd.product_id, cmd.kind, cmd.storage_gb, cmd.grade)
    if listing is None:
        return  # an accessory or a service: no repaired device resells as one
    async with uow:
        await uow.resale_prices.save_listing(listing)
        await uow.commit()


async def when_sku_priced_follow_its_price(cmd: commands.RecordResalePrice, uow: RepairUnitOfWork) -> None:
    incoming = ResalePrice(cmd.sku, cmd.market, cmd.price, cmd.effective_at)
    async with uow:
        listing, current = await uow.resale_prices.price_of(cmd.sku, cmd.market)
        # A SKU is listed before it is priced (one key, one partition): one not kept is no device.
        if listing is not None and supersedes(incoming, current):
            await uow.resale_prices.save_price(incoming)
        await uow.commit()


async def when_sku_discontinued_stop_counting_it(cmd: commands.RecordSkuDiscontinued, uow: RepairUnitOfWork) -> None:
    async with uow:
        await uow.resale_prices.discontinue(cmd.sku)
        await uow.commit()
