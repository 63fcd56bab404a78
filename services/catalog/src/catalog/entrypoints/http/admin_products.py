"""Admin: publish a product model, or a new description of one. Staff holding `catalog:write` only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from catalog.domain import commands
from catalog.entrypoints.http.schemas import ProductIn
from catalog.service_layer import handlers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from reloop_shared.clock import Clock
from reloop_shared.http.authentication import requires


def admin_products(unit_of_work: Callable[[], CatalogUnitOfWork], clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/admin/products", tags=["admin"], dependencies=[requires("catalog:write")])

    @router.post("", status_code=201)
    async def publish_product(body: ProductIn) -> dict[str, str]:
        await handlers.publish_product(commands.PublishProduct(**body.model_dump()), unit_of_work(), clock)
        return {"product_id": body.product_id}

    return router
