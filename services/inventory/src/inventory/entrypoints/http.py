"""Inventory's HTTP API (warehouse and shop back-office): requests -> commands -> handlers."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from inventory.adapters.repository import (
    AvailabilityQuery,
    CollectedDevices,
    LocationRepository,
    ReservationRepository,
    UnitRepository,
)
from inventory.domain import commands
from inventory.domain.errors import Conflict, InvalidTransition, InventoryError, NotFound
from inventory.domain.units import Unit
from inventory.service_layer import counts, receiving, setup, transfers
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError

LocationKind = Literal["warehouse", "refurbishment_centre", "own_shop", "partner_shop"]
Status = Literal["received", "available", "reserved", "sold", "returned", "in_repair", "in_transit", "written_off"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocationIn(Strict):
    location_id: str = Field(min_length=1, max_length=64)
    kind: LocationKind
    market: str = Field(pattern=r"^[A-Z]{2}$")
    name: str = Field(min_length=1)
    address: str = ""


class IdentifierIn(Strict):
    kind: Literal["imei", "serial"]
    value: str = Field(min_length=4, max_length=64)


class UnitIn(Strict):
    unit_id: str | None = Field(default=None, min_length=1, max_length=64)
    sku: str = Field(min_length=1, max_length=64)
    identifier: IdentifierIn
    location_id: str = Field(min_length=1)


class UnitOut(BaseModel):
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    grade: str
    location_id: str
    status: str
    reservation_id: str | None
    sale_id: str | None


class InspectionIn(Strict):
    outcome: Literal["restock", "repair", "refurbish", "write_off"]


class AccessoryReceiptIn(Strict):
    sku: str = Field(min_length=1)
    location_id: str = Field(min_length=1)
    quantity: int = Field(gt=0)
    reference: str | None = None


class TransferIn(Strict):
    transfer_id: str | None = None
    unit_ids: list[str] = Field(min_length=1)
    to_location_id: str = Field(min_length=1)


class StockCountIn(Strict):
    count_id: str | None = None
    location_id: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    accessories: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)
    units_present: list[str] | None = Field(
        default=None, description="Every unit found at the location; omit to count accessories only."
    )


def _out(unit: Unit) -> UnitOut:
    return UnitOut(
        unit_id=unit.unit_id,
        sku=unit.sku,
        identifier_kind=unit.identifier_kind,
        identifier=unit.identifier,
        grade=unit.grade,
        location_id=unit.location_id,
        status=unit.status,
        reservation_id=unit.reservation_id,
        sale_id=unit.sale_id,
    )


def _api_error(error: InventoryError) -> ApiError:
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Conflict | InvalidTransition):
        status = 409
    else:
        status = 422
    return ApiError(status, type(error).__name__, str(error), field=error.field)


def routes(pool: Callable[[], Pool], uow: Callable[[], InventoryUnitOfWork]) -> APIRouter:
    router = APIRouter()

    @router.post("/locations", status_code=201, tags=["locations"])
    async def register_location(body: LocationIn) -> dict[str, str]:
        await setup.register_location(commands.RegisterLocation(**body.model_dump()), uow())
        return {"location_id": body.location_id}

    @router.get("/locations", tags=["locations"])
    async def list_locations() -> list[dict[str, str]]:
        async with pool().acquire() as conn:
            return [location.__dict__ for location in await LocationRepository(conn).all()]

    @router.post("/units", status_code=201, tags=["units"], summary="Receive a refurbished unit")
    async def receive_unit(body: UnitIn) -> UnitOut:
        command = commands.ReceiveUnit(
            body.unit_id or f"U-{uuid.uuid4().hex[:12].upper()}",
            body.sku,
            body.identifier.kind,
            body.identifier.value,
            body.location_id,
        )
        try:
            return _out(await receiving.receive_unit(command, uow()))
        except InventoryError as error:
            raise _api_error(error) from error

    @router.get("/units/{unit_id}", tags=["units"])
    async def get_unit(unit_id: str) -> UnitOut:
        async with pool().acquire() as conn:
            unit = await UnitRepository(conn, []).get(unit_id)
        if unit is None:
            raise ApiError(404, "NotFound", f"no unit {unit_id}", field="unit_id")
        return _out(unit)

    @router.get("/units", tags=["units"])
    async def search_units(
        sku: str | None = None,
        location_id: str | None = None,
        status: Status | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[UnitOut]:
        async with pool().acquire() as conn:
            return [_out(u) for u in await UnitRepository(conn, []).search(sku, location_id, status, limit)]

    @router.post("/units/{unit_id}/inspection", tags=["units"], summary="Inspect a received or returned unit")
    async def inspect(unit_id: str, body: InspectionIn) -> UnitOut:
        try:
            return _out(await receiving.inspect_unit(commands.InspectUnit(unit_id, body.outcome), uow()))
        except InventoryError as error:
            raise _api_error(error) from error

    @router.post("/units/{unit_id}/repair-done", tags=["units"])
    async def repair_done(unit_id: str) -> UnitOut:
        try:
            return _out(await receiving.finish_repair(commands.FinishRepair(unit_id), uow()))
        except InventoryError as error:
            raise _api_error(error) from error

    @router.post("/accessories/receipts", status_code=201, tags=["accessories"])
    async def receive_accessories(body: AccessoryReceiptIn) -> dict[str, int]:
        try:
            on_hand = await receiving.receive_accessories(commands.ReceiveAccessories(**body.model_dump()), uow())
        except InventoryError as error:
            raise _api_error(error) from error
        return {"on_hand": on_hand}

    @router.post("/transfers", status_code=201, tags=["transfers"])
    async def start_transfer(body: TransferIn) -> dict[str, str]:
        transfer_id = body.transfer_id or f"T-{uuid.uuid4().hex[:12].upper()}"
        command = commands.StartTransfer(transfer_id, tuple(body.unit_ids), body.to_location_id)
        try:
            await transfers.start_transfer(command, uow())
        except InventoryError as error:
            raise _api_error(error) from error
        return {"transfer_id": transfer_id}

    @router.post("/transfers/{transfer_id}/receipt", tags=["transfers"])
    async def receive_transfer(transfer_id: str) -> dict[str, list[str]]:
        try:
            unit_ids = await transfers.receive_transfer(commands.ReceiveTransfer(transfer_id), uow())
        except InventoryError as error:
            raise _api_error(error) from error
        return {"unit_ids": unit_ids}

    @router.post("/stock-counts", status_code=201, tags=["counts"])
    async def count(body: StockCountIn) -> dict[str, object]:
        command = commands.CountStock(
            body.count_id or f"C-{uuid.uuid4().hex[:12].upper()}",
            body.location_id,
            body.reason,
            dict(body.accessories),
            tuple(body.units_present) if body.units_present is not None else None,
        )
        try:
            adjustments = await counts.count_stock(command, uow())
        except InventoryError as error:
            raise _api_error(error) from error
        return {"count_id": command.count_id, "adjustments": adjustments}

    @router.get("/availability/{sku}", tags=["availability"])
    async def availability(sku: str) -> dict[str, object]:
        async with pool().acquire() as conn:
            kind = await conn.fetchval("SELECT kind FROM skus WHERE sku = $1", sku)
            if kind is None:
                raise ApiError(404, "NotFound", f"no SKU {sku}", field="sku")
            counts_ = await AvailabilityQuery(conn).for_sku(sku, kind)
        return {
            "sku": sku,
            "total_available": sum(c.available for c in counts_),
            "by_location": [c.__dict__ for c in counts_],
        }

    @router.get("/availability", tags=["availability"])
    async def overview(market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None) -> list[dict[str, object]]:
        async with pool().acquire() as conn:
            rows = await AvailabilityQuery(conn).overview(market)
        return [{"sku": sku, "market": m, "available": n} for sku, m, n in rows]

    @router.get("/collected-devices", tags=["transfers"], summary="Trade-ins and repairs travelling from the shops")
    async def collected(location_id: str | None = None, status: str | None = None) -> list[dict[str, object]]:
        async with pool().acquire() as conn:
            return await CollectedDevices(conn).at(location_id, status)

    @router.get("/reservations/{reservation_id}", tags=["reservations"])
    async def reservation(reservation_id: str) -> dict[str, object]:
        async with pool().acquire() as conn:
            found = await ReservationRepository(conn, []).get(reservation_id, for_update=False)
        if found is None:
            raise ApiError(404, "NotFound", f"no reservation {reservation_id}", field="reservation_id")
        return {
            "reservation_id": found.reservation_id,
            "status": found.status,
            "channel": found.channel,
            "expires_at": found.expires_at.isoformat(),
            "lines": [line.__dict__ for line in found.lines],
        }

    return router
