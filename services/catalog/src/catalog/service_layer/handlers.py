"""Catalog use cases: each loads what it needs, lets the domain decide, saves and commits."""

from __future__ import annotations

from catalog.domain import commands
from catalog.domain.errors import AlreadyExists, NotFound
from catalog.domain.model import Product, Sku
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_shared.clock import Clock


async def publish_product(cmd: commands.PublishProduct, uow: CatalogUnitOfWork, clock: Clock) -> Product:
    async with uow:
        product = Product.publish(cmd.product_id, cmd.brand, cmd.model, cmd.category, cmd.attributes, clock.now())
        await uow.products.save(product)
        await uow.commit()
    return product


async def list_sku(cmd: commands.ListSku, uow: CatalogUnitOfWork, clock: Clock) -> Sku:
    async with uow:
        product = await uow.products.get(cmd.product_id)
        if product is None:
            raise NotFound(f"no product {cmd.product_id}", field="product_id")
        if await uow.skus.get(cmd.sku) is not None:
            raise AlreadyExists(f"SKU {cmd.sku} already exists", field="sku")
        sku = Sku.list(cmd.sku, product, cmd.kind, cmd.title, cmd.grade, cmd.storage_gb, cmd.colour, clock.now())
        await uow.skus.add(sku)
        await uow.commit()
    return sku


async def price_sku(cmd: commands.PriceSku, uow: CatalogUnitOfWork, clock: Clock) -> Sku:
    async with uow:
        sku = await _existing_sku(uow, cmd.sku)
        new_price = sku.set_price(cmd.market, cmd.price, cmd.effective_at or clock.now())
        if new_price is not None:
            await uow.skus.add_price(sku.sku, new_price)
        await uow.commit()
    return sku


async def discontinue_sku(cmd: commands.DiscontinueSku, uow: CatalogUnitOfWork, clock: Clock) -> Sku:
    async with uow:
        sku = await _existing_sku(uow, cmd.sku)
        if sku.discontinue(cmd.reason, clock.now()):
            await uow.skus.mark_discontinued(sku)
        await uow.commit()
    return sku


async def _existing_sku(uow: CatalogUnitOfWork, sku: str) -> Sku:
    """The SKU, locked until the commit (see `Skus.get`)."""
    found = await uow.skus.get(sku, for_update=True)
    if found is None:
        raise NotFound(f"no SKU {sku}", field="sku")
    return found
