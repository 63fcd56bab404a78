"""Catalog use cases: each takes a command and a unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from catalog.domain import commands
from catalog.domain.errors import AlreadyExists, NotFound
from catalog.domain.model import Product, Sku
from catalog.service_layer.unit_of_work import CatalogUnitOfWork

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


async def publish_product(cmd: commands.PublishProduct, uow: CatalogUnitOfWork, now: Clock = utc_now) -> Product:
    async with uow:
        at = now()
        product = Product.publish(cmd.product_id, cmd.brand, cmd.model, cmd.category, cmd.attributes, at)
        await uow.products.save(product, at)
        await uow.commit()
    return product


async def list_sku(cmd: commands.ListSku, uow: CatalogUnitOfWork, now: Clock = utc_now) -> Sku:
    async with uow:
        product = await uow.products.get(cmd.product_id)
        if product is None:
            raise NotFound(f"no product {cmd.product_id}", field="product_id")
        if await uow.skus.get(cmd.sku) is not None:
            raise AlreadyExists(f"SKU {cmd.sku} already exists", field="sku")
        at = now()
        sku = Sku.list(cmd.sku, product, cmd.kind, cmd.title, cmd.grade, cmd.storage_gb, cmd.colour, at)
        await uow.skus.add(sku, at)
        await uow.commit()
    return sku


async def price_sku(cmd: commands.PriceSku, uow: CatalogUnitOfWork, now: Clock = utc_now) -> Sku:
    async with uow:
        sku = await uow.skus.get(cmd.sku, for_update=True)
        if sku is None:
            raise NotFound(f"no SKU {cmd.sku}", field="sku")
        before = sku.prices.get(cmd.market)
        sku.set_price(cmd.market, cmd.amount_minor, cmd.currency, cmd.effective_at or now())
        after = sku.prices[cmd.market]
        if after is not before:
            await uow.skus.add_price(sku.sku, after)
        await uow.commit()
    return sku


async def discontinue_sku(cmd: commands.DiscontinueSku, uow: CatalogUnitOfWork, now: Clock = utc_now) -> Sku:
    async with uow:
        sku = await uow.skus.get(cmd.sku, for_update=True)
        if sku is None:
            raise NotFound(f"no SKU {cmd.sku}", field="sku")
        was_discontinued = sku.discontinued_at is not None
        sku.discontinue(cmd.reason, now())
        if not was_discontinued and sku.discontinued_at is not None:
            await uow.skus.mark_discontinued(sku.sku, sku.discontinued_at, cmd.reason)
        await uow.commit()
    return sku
