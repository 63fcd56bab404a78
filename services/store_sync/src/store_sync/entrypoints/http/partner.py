"""The partner operator's side: tickets and CSV exports in its till format, its mapping table,
and the quarantine of what could not be mapped yet."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from store_sync.domain import commands
from store_sync.domain.partner_csv import tickets_from_csv
from store_sync.entrypoints.http.edge import UPLOAD_LIMIT, Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.registry_schemas import (
    MappingReplayOut,
    QuarantinedOut,
    ReplayIn,
    SkuMappingIn,
    SkuMappingOut,
    TicketOutcomeOut,
    TicketsIn,
    TicketsOut,
    quarantined_out,
    tickets_out,
)
from store_sync.service_layer import partner

_CSV_LIMIT = 20 * 2**20


def partner_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["partner"])
    own = [edge.guards.shop]
    own_or_admin = [edge.guards.shop_or_admin]
    admin = [edge.guards.admin]

    async def ingest(shop_id: str, tickets: tuple[dict[str, object], ...]) -> TicketsOut:
        command = commands.IngestPartnerTickets(shop_id, tickets)
        return tickets_out(shop_id, await partner.ingest_partner(command, edge.unit_of_work(), edge.sealer, edge.clock))

    @router.post(
        "/shops/{shop_id}/partner/tickets",
        dependencies=own,
        max_body_size=UPLOAD_LIMIT,
        summary="Tickets in the partner operator's format: mapped and recorded, or quarantined with the reason",
    )
    async def partner_tickets(shop_id: str, body: TicketsIn) -> TicketsOut:
        edge.at_most(len(body.tickets), "tickets")
        return await ingest(shop_id, tuple(body.tickets))

    @router.post(
        "/shops/{shop_id}/partner/exports",
        dependencies=own,
        max_body_size=_CSV_LIMIT,
        summary="The partner till's CSV end-of-day export (text/csv, ';'-separated)",
        openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
    )
    async def partner_export(shop_id: str, request: Request) -> TicketsOut:
        raw = await request.body()  # at most _CSV_LIMIT: the edge refuses a larger one with 413
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # spreadsheet exports of French tills
        tickets = tickets_from_csv(text)
        edge.at_most(len(tickets), "body")
        return await ingest(shop_id, tuple(tickets))

    @router.get(
        "/shops/{shop_id}/quarantine", dependencies=own_or_admin, summary="The shop's tickets waiting, oldest first"
    )
    async def shop_quarantine(
        shop_id: str, page: Annotated[PageRequest, Depends(keyed_by(int))]
    ) -> Page[QuarantinedOut]:
        found = await partner.waiting_for_a_mapping(
            shop_id, edge.unit_of_work(), after=page.after, limit=page.limit + 1
        )
        items, cursor = page_of(found, page, lambda i: (i.quarantine_id,))
        return Page(items=[quarantined_out(i) for i in items], next_cursor=cursor)

    @router.get("/operators/{operator_id}/sku-mappings", dependencies=admin, summary="The operator's article codes")
    async def mappings(operator_id: str, page: Annotated[PageRequest, Depends(keyed_by(str))]) -> Page[SkuMappingOut]:
        found = await partner.sku_mappings(operator_id, edge.unit_of_work(), after=page.after, limit=page.limit + 1)
        items, cursor = page_of(found, page, lambda m: (m.partner_sku,))
        return Page(items=[SkuMappingOut(**m.__dict__) for m in items], next_cursor=cursor)

    @router.put(
        "/operators/{operator_id}/sku-mappings/{partner_sku}",
        dependencies=admin,
        summary="Map an article code to a reloop SKU; the operator's quarantine is replayed at once",
    )
    async def map_sku(operator_id: str, partner_sku: str, body: SkuMappingIn) -> MappingReplayOut:
        command = commands.MapPartnerSku(operator_id, partner_sku, body.sku, body.kind)
        replayed = await partner.map_sku(command, edge.unit_of_work(), edge.sealer, edge.clock)
        return MappingReplayOut(
            mapping=SkuMappingOut(partner_sku=partner_sku, sku=body.sku, kind=body.kind),
            replayed=[TicketOutcomeOut.model_validate(o.__dict__) for o in replayed],
        )

    @router.get("/quarantine", dependencies=admin, summary="Quarantined partner tickets, newest first")
    async def quarantine(
        page: Annotated[PageRequest, Depends(keyed_by(int))],
        operator_id: Annotated[str | None, Query(max_length=64)] = None,
        shop_id: Annotated[str | None, Query(max_length=64)] = None,
        status: Literal["open", "replayed"] | None = "open",
    ) -> Page[QuarantinedOut]:
        found = await partner.quarantined(
            edge.unit_of_work(),
            operator_id=operator_id,
            shop_id=shop_id,
            status=status,
            after=page.after,
            limit=page.limit + 1,
        )
        items, cursor = page_of(found, page, lambda i: (i.quarantine_id,))
        return Page(items=[quarantined_out(i) for i in items], next_cursor=cursor)

    @router.post("/quarantine/{quarantine_id}/replay", dependencies=admin, summary="Replay a ticket, maybe corrected")
    async def replay(quarantine_id: int, body: ReplayIn | None = None) -> TicketOutcomeOut:
        command = commands.ReplayQuarantined(quarantine_id, body.ticket if body else None)
        outcome = await partner.replay(command, edge.unit_of_work(), edge.sealer, edge.clock)
        return TicketOutcomeOut.model_validate(outcome.__dict__)

    return router
