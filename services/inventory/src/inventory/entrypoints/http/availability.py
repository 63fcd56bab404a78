"""Sellable stock now, per SKU and location, or per market."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from inventory.service_layer import queries
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import public
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


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

    @routes.get("/availability", summary="Stock per SKU and market, by SKU then market, a page at a time")
    async def overview(
        page: Annotated[PageRequest, Depends(keyed_by(str, str))],
        market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    ) -> Page[dict[str, object]]:
        rows = await queries.availability_overview(market, uow(), after=page.after, limit=page.limit + 1)
        items, cursor = page_of(rows, page, lambda row: (row[0], row[1]))
        return Page(items=[{"sku": sku, "market": m, "available": n} for sku, m, n in items], next_cursor=cursor)

    return routes
