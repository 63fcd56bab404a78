"""The catalog's SKUs and resale prices, kept for the buy-back grid to follow (`catalog.skus.v1`).

Each handler joins the consuming transaction (the consumer passes a unit of work on it), so the
processed-event record and the projection's change commit together. Nothing is published: the
grid reads the projection when a quote asks for a price.
"""

from __future__ import annotations

from trade_in.domain import catalog_commands as commands
from trade_in.domain.catalog_resale import listing_of, supersedes
from trade_in.domain.pricing import ResalePrice
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def when_sku_listed_map_it_to_the_grid(cmd: commands.RecordListing, uow: TradeInUnitOfWork) -> None:
    listing = listing_of(cmd.sku, cmd.product_id, cmd.kind, cmd.storage_gb, cmd.grade)
    if listing is None:
        return  # an accessory, a service or an ungraded device: the grid never buys it back
    async with uow:
        await uow.resale_prices.save_listing(listing)
        await uow.commit()


async def when_sku_priced_follow_its_resale_price(cmd: commands.RecordResalePrice, uow: TradeInUnitOfWork) -> None:
    incoming = ResalePrice(cmd.sku, cmd.market, cmd.price, cmd.effective_at)
    async with uow:
        listing, current = await uow.resale_prices.price_of(cmd.sku, cmd.market)
        # A SKU is listed before it is priced (one key, one partition): one not kept is not a device.
        if listing is not None and supersedes(incoming, current):
            await uow.resale_prices.save_price(incoming)
        await uow.commit()


async def when_sku_discontinued_stop_following_it(cmd: commands.RecordDiscontinued, uow: TradeInUnitOfWork) -> None:
    async with uow:
        await uow.resale_prices.discontinue(cmd.sku)
        await uow.commit()
