"""What the HTTP edge reads: plain lookups on a unit of work, a missing thing answered NotFound."""

from __future__ import annotations

from typing import Any

from inventory.domain.errors import NotFound
from inventory.domain.events import LocationAvailable
from inventory.domain.locations import Location
from inventory.domain.reservations import Reservation
from inventory.domain.units import Unit
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.http.pagination import Key


async def unit(unit_id: str, uow: InventoryUnitOfWork) -> Unit:
    async with uow:
        found = await uow.units.get(unit_id)
    if found is None:
        raise NotFound(f"no unit {unit_id}", field="unit_id")
    return found


async def units(
    uow: InventoryUnitOfWork,
    *,
    sku: str | None,
    location_id: str | None,
    status: str | None,
    after: Key | None,
    limit: int,
) -> list[Unit]:
    async with uow:
        return await uow.units.search(sku, location_id, status, after, limit)


async def locations(uow: InventoryUnitOfWork, *, after: Key | None, limit: int) -> list[Location]:
    async with uow:
        return await uow.locations.all(after, limit)


async def availability(sku: str, uow: InventoryUnitOfWork) -> list[LocationAvailable]:
    async with uow:
        kind = (await uow.skus.kinds([sku])).get(sku)
        if kind is None:
            raise NotFound(f"no SKU {sku}", field="sku")
        return await uow.availability.for_sku(sku, kind)


async def availability_overview(
    market: str | None, uow: InventoryUnitOfWork, *, after: Key | None, limit: int
) -> list[tuple[str, str, int]]:
    async with uow:
        return await uow.availability.overview(market, after, limit)


async def collected_devices(
    uow: InventoryUnitOfWork, *, location_id: str | None, status: str | None, after: Key | None, limit: int
) -> list[dict[str, Any]]:
    async with uow:
        return await uow.collected.at(location_id, status, after, limit)


async def reservation(reservation_id: str, uow: InventoryUnitOfWork) -> Reservation:
    async with uow:
        found = await uow.reservations.get(reservation_id, for_update=False)
    if found is None:
        raise NotFound(f"no reservation {reservation_id}", field="reservation_id")
    return found
