"""A repair centre's parts: receipts (staff of the workshop) and stock reads."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from repair.domain import commands
from repair.entrypoints.http.edge import CentreId, Edge
from repair.entrypoints.http.schemas import PartsReceiptIn, PartStockOut
from repair.entrypoints.http.scopes import READ, WORKSHOP
from repair.service_layer import parts, views

PartSku = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["parts"])

    @routes.post("/centres/{centre_id}/parts/{part_sku}/receipts", summary="Parts arrived at a centre")
    async def receive(
        centre_id: CentreId, part_sku: PartSku, body: PartsReceiptIn, who: Principal = requires(WORKSHOP)
    ) -> PartStockOut:
        command = commands.ReceiveParts(centre_id, part_sku, body.quantity, body.reorder_point, who.subject)
        return PartStockOut.of(await parts.receive_parts(command, on.unit_of_work(), on.clock))

    @routes.get("/centres/{centre_id}/parts", summary="A centre's parts stock, by part", dependencies=[requires(READ)])
    async def stock(centre_id: CentreId, page: Annotated[PageRequest, Depends(keyed_by(str))]) -> Page[PartStockOut]:
        after = page.after[0] if page.after else None
        assert after is None or isinstance(after, str)
        found = await views.parts_stock(on.unit_of_work(), centre_id, after, page.limit + 1)
        items, cursor = page_of(found, page, lambda s: (s.part_sku,))
        return Page(items=[PartStockOut.of(s) for s in items], next_cursor=cursor)

    return routes
