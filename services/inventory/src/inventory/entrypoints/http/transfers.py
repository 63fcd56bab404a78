"""Units moving between locations, and the devices collected at shops on their way to the centre."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from inventory.domain import commands
from inventory.entrypoints.http.schemas import TransferIn
from inventory.entrypoints.http.scopes import READ, WRITE
from inventory.service_layer import queries, transfers
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


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
    async def collected(
        page: Annotated[PageRequest, Depends(keyed_by(str))],
        location_id: Annotated[str | None, Query(max_length=64)] = None,
        status: Literal["in_transit", "received", "missing"] | None = None,
    ) -> Page[dict[str, Any]]:
        found = await queries.collected_devices(
            uow(), location_id=location_id, status=status, after=page.after, limit=page.limit + 1
        )
        items, cursor = page_of(found, page, lambda device: (str(device["unit_id"]),))
        return Page(items=items, next_cursor=cursor)

    return routes
