"""Holds, as they stand."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from inventory.entrypoints.http.scopes import READ
from inventory.service_layer import queries
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["reservations"])

    @routes.get("/reservations/{reservation_id}", dependencies=[requires(READ)])
    async def reservation(reservation_id: str) -> dict[str, object]:
        found = await queries.reservation(reservation_id, uow())
        return {
            "reservation_id": found.reservation_id,
            "status": found.status,
            "channel": found.channel,
            "expires_at": found.expires_at.isoformat(),
            "lines": [line.__dict__ for line in found.lines],
        }

    return routes
