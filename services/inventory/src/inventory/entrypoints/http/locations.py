"""Warehouses, refurbishment centres, own shops and partner points of sale."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from inventory.domain import commands
from inventory.entrypoints.http.schemas import LocationIn
from inventory.entrypoints.http.scopes import READ, WRITE
from inventory.service_layer import locations_and_skus, queries
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["locations"])

    @routes.post("/locations", status_code=201, dependencies=[requires(WRITE)])
    async def register_location(body: LocationIn) -> dict[str, str]:
        await locations_and_skus.register_location(commands.RegisterLocation(**body.model_dump()), uow())
        return {"location_id": body.location_id}

    @routes.get("/locations", dependencies=[requires(READ)])
    async def list_locations() -> list[dict[str, str]]:
        return [location.__dict__ for location in await queries.locations(uow())]

    return routes
