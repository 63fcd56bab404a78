"""Stock counts: what was found replaces what the books said."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import APIRouter

from inventory.domain import commands
from inventory.entrypoints.http.schemas import StockCountIn
from inventory.entrypoints.http.scopes import COUNT
from inventory.service_layer import counts
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["counts"])

    @routes.post("/stock-counts", status_code=201, dependencies=[requires(COUNT)])
    async def count(body: StockCountIn) -> dict[str, object]:
        command = commands.CountStock(
            body.count_id or f"C-{uuid.uuid4().hex[:12].upper()}",
            body.location_id,
            body.reason,
            dict(body.accessories),
            tuple(body.units_present) if body.units_present is not None else None,
        )
        adjustments = await counts.count_stock(command, uow())
        return {"count_id": command.count_id, "adjustments": adjustments}

    return routes
