"""Warehouses, refurbishment centres, own shops and partner points of sale."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends

from inventory.domain import commands
from inventory.entrypoints.http.schemas import LocationIn
from inventory.entrypoints.http.scopes import READ, WRITE
from inventory.service_layer import locations_and_skus, queries
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["locations"])

    @routes.post("/locations", status_code=201, dependencies=[requires(WRITE)])
    async def register_location(body: LocationIn) -> dict[str, str]:
        await locations_and_skus.register_location(commands.RegisterLocation(**body.model_dump()), uow())
        return {"location_id": body.location_id}

    @routes.get("/locations", summary="Locations by id, a page at a time", dependencies=[requires(READ)])
    async def list_locations(page: Annotated[PageRequest, Depends(keyed_by(str))]) -> Page[dict[str, str]]:
        found = await queries.locations(uow(), after=page.after, limit=page.limit + 1)
        items, cursor = page_of(found, page, lambda location: (location.location_id,))
        return Page(items=[location.__dict__ for location in items], next_cursor=cursor)

    return routes
