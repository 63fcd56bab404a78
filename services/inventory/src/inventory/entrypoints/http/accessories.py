"""Accessory stock coming in."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from inventory.domain import commands
from inventory.entrypoints.http.schemas import AccessoryReceiptIn
from inventory.entrypoints.http.scopes import WRITE
from inventory.service_layer import receiving
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["accessories"])

    @routes.post("/accessories/receipts", status_code=201, dependencies=[requires(WRITE)])
    async def receive_accessories(body: AccessoryReceiptIn) -> dict[str, int]:
        on_hand = await receiving.receive_accessories(commands.ReceiveAccessories(**body.model_dump()), uow())
        return {"on_hand": on_hand}

    return routes
