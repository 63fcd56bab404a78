"""The collection hub: devices waiting at a shop, the shipments that take them to the
refurbishment centre, and their receipt there."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends

from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from store_sync.domain import commands
from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.registry_schemas import (
    CollectedOut,
    ReceiptIn,
    ShipmentIn,
    ShipmentOut,
    collected_out,
    shipment_out,
)
from store_sync.service_layer import shipments


def shipment_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["collection"])

    @router.get(
        "/shops/{shop_id}/collected",
        dependencies=[edge.guards.shop_or_admin],
        summary="Devices waiting for a shipment, in the order they were left, a page at a time",
    )
    async def collected(
        shop_id: str, page: Annotated[PageRequest, Depends(keyed_by(datetime, str, str))]
    ) -> Page[CollectedOut]:
        found = await shipments.waiting_at(shop_id, edge.unit_of_work(), after=page.after, limit=page.limit + 1)
        items, cursor = page_of(found, page, lambda c: (c.collected_at, c.device.source_id, c.device.unit_id))
        return Page(items=[collected_out(c) for c in items], next_cursor=cursor)

    @router.post(
        "/shops/{shop_id}/shipments",
        dependencies=[edge.guards.shop],
        status_code=201,
        summary="Ship devices left at the shop (all of them by default) to the refurbishment centre",
    )
    async def ship(shop_id: str, body: ShipmentIn) -> ShipmentOut:
        units = tuple(body.unit_ids) if body.unit_ids is not None else None
        command = commands.DispatchShipment(
            shop_id, body.shipment_ref, body.to_location_id, units, body.carrier_reference
        )
        return shipment_out(await shipments.dispatch(command, edge.unit_of_work(), edge.clock))

    @router.post("/shipments/{shipment_id}/receipt", dependencies=[edge.guards.admin], summary="It arrived")
    async def receive(shipment_id: str, body: ReceiptIn | None = None) -> ShipmentOut:
        units = tuple(body.unit_ids) if body and body.unit_ids is not None else None
        command = commands.ReceiveShipment(shipment_id, units)
        return shipment_out(await shipments.receive(command, edge.unit_of_work(), edge.clock))

    return router
