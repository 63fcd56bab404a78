"""Read models built from other services' events: the feeds shops poll, and which reloop unit
each device IMEI is (partner tills name devices by IMEI)."""

from __future__ import annotations

from dataclasses import dataclass

from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.domain.errors import NotFound
from store_sync.service_layer.ports import FeedItem
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


@dataclass(frozen=True)
class FeedPage:
    shop_id: str
    market: str
    cursor: int
    next_cursor: int
    more: bool
    items: list[FeedItem]


async def feed_page(shop_id: str, cursor: int, limit: int, uow: StoreSyncUnitOfWork, clock: Clock) -> FeedPage:
    """What changed for the shop after `cursor`: at most `limit` SKUs, and the cursor to send next."""
    async with uow:
        shop = await uow.shops.get(shop_id)
        if shop is None:
            raise NotFound(f"no shop {shop_id}", field="shop_id")
        items = await uow.feed.changes(shop_id, shop.market, cursor, limit, clock.now())
    next_cursor = items[-1].seq if items else cursor
    return FeedPage(shop_id, shop.market, cursor, next_cursor, len(items) == limit, items)
