"""Sellable stock now, per SKU and location, or per market."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query

from inventory.service_layer import queries
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import public


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["availability"], dependencies=[public()])

    @routes.get("/availability/{sku}")
    async def availability(sku: str) -> dict[str, object]:
        counts = await queries.availability(sku, uow())
        return {
            "sku": sku,
            "total_available": sum(c.available for c in counts),
            "by_location": [c.__dict__ for c in counts],
        }

    @routes.get("/availability")
    async def overview(market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None) -> list[dict[str, object]]:
        rows = await queries.availability_overview(market, uow())
        return [{"sku": sku, "market": m, "available": n} for sku, m, n in rows]

    return routes
