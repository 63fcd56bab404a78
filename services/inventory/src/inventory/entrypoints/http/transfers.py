"""Units moving between locations, and the devices collected at shops on their way to the centre."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi import APIRouter

from inventory.domain import commands
from inventory.entrypoints.http.schemas import TransferIn
from inventory.entrypoints.http.scopes import READ, WRITE
from inventory.service_layer import queries, transfers
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires


def router(uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    routes = APIRouter(tags=["transfers"])

    @routes.post("/transfers", status_code=201, dependencies=[requires(WRITE)])
    async def start_transfer(body: TransferIn) -> dict[str, str]:
        transfer_id = body.transfer_id or f"T-{uuid.uuid4().hex[:12].upper()}"
        command = commands.StartTransfer(transfer_id, tuple(body.unit_ids), body.to_location_id)
        await transfers.start_transfer(command, uow())
        return {"transfer_id": transfer_id}

    @routes.post("/transfers/{transfer_id}/receipt", dependencies=[requires(WRITE)])
    async def receive_transfer(transfer_id: str) -> dict[str, list[str]]:
        return {"unit_ids": await transfers.receive_transfer(commands.ReceiveTransfer(transfer_id), uow())}

    @routes.get(
        "/collected-devices",
        summary="Trade-ins and repairs travelling from the shops",
        dependencies=[requires(READ)],
    )
    async def collected(location_id: str | None = None, status: str | None = None) -> list[dict[str, object]]:
        return await queries.collected_devices(uow(), location_id=location_id, status=status)

    return routes
