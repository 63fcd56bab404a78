"""Refurbished units: received, inspected, repaired, and read."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from inventory.domain import commands
from inventory.entrypoints.http.schemas import InspectionIn, Status, UnitIn, UnitOut
from inventory.entrypoints.http.scopes import READ, WRITE
from inventory.service_layer import queries, receiving
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["units"])

    @routes.post("/units", status_code=201, summary="Receive a refurbished unit", dependencies=[requires(WRITE)])
    async def receive_unit(body: UnitIn) -> UnitOut:
        unit_id = body.unit_id or f"U-{uuid.uuid4().hex[:12].upper()}"
        command = commands.ReceiveUnit(unit_id, body.sku, body.identifier.kind, body.identifier.value, body.location_id)
        return UnitOut.of(await receiving.receive_unit(command, uow()))

    @routes.get("/units/{unit_id}", dependencies=[requires(READ)])
    async def get_unit(unit_id: str) -> UnitOut:
        return UnitOut.of(await queries.unit(unit_id, uow()))

    @routes.get("/units", summary="Units by id, a page at a time", dependencies=[requires(READ)])
    async def search_units(
        page: Annotated[PageRequest, Depends(keyed_by(str))],
        sku: Annotated[str | None, Query(max_length=64)] = None,
        location_id: Annotated[str | None, Query(max_length=64)] = None,
        status: Status | None = None,
    ) -> Page[UnitOut]:
        found = await queries.units(
            uow(), sku=sku, location_id=location_id, status=status, after=page.after, limit=page.limit + 1
        )
        items, cursor = page_of(found, page, lambda unit: (unit.unit_id,))
        return Page(items=[UnitOut.of(unit) for unit in items], next_cursor=cursor)

    @routes.post(
        "/units/{unit_id}/inspection",
        summary="Inspect a received or returned unit",
        dependencies=[requires(WRITE)],
    )
    async def inspect(unit_id: str, body: InspectionIn) -> UnitOut:
        return UnitOut.of(await receiving.inspect_unit(commands.InspectUnit(unit_id, body.outcome), uow()))

    @routes.post("/units/{unit_id}/repair-done", dependencies=[requires(WRITE)])
    async def repair_done(unit_id: str) -> UnitOut:
        return UnitOut.of(await receiving.finish_repair(commands.FinishRepair(unit_id), uow()))

    return routes
