"""The API a shop's till talks to: uploads in reloop's format or the partner's, the feed it polls,
the devices it ships. Every route acts for the shop of the path, with that shop's key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError
from store_sync.adapters.feed import FeedReader
from store_sync.adapters.quarantine import QuarantineRepository
from store_sync.adapters.registry import ShopRepository
from store_sync.adapters.shipments import ShipmentRepository
from store_sync.config import StoreSyncSettings
from store_sync.domain import commands
from store_sync.domain.journal import Outcome
from store_sync.domain.partner_csv import tickets_from_csv
from store_sync.domain.transactions import Transaction
from store_sync.entrypoints.auth import Guards
from store_sync.entrypoints.errors import PlainFieldRoute, answer
from store_sync.entrypoints.registry_schemas import (
    CollectedOut,
    FeedOut,
    QuarantinedOut,
    ShipmentIn,
    ShipmentOut,
    ShopOut,
    TicketsIn,
    TicketsOut,
    collected_out,
    feed_item,
    quarantined_out,
    shipment_out,
    shop_out,
    tickets_out,
)
from store_sync.entrypoints.schemas import (
    DayCloseIn,
    OutcomeOut,
    RepairIn,
    ReturnIn,
    SaleIn,
    StockCountIn,
    TradeInIn,
    UploadIn,
    UploadOut,
    to_domain,
    upload_out,
)
from store_sync.service_layer import ingestion, partner, shipments
from store_sync.service_layer.clock import Clock
from store_sync.service_layer.ingestion import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

_SINGLE_STATUS = {"recorded": 201, "duplicate": 200, "waiting_for_sale": 202, "conflict": 409}
_CSV_LIMIT = 20 * 2**20


def pos_routes(
    pool: Callable[[], Pool],
    uow: Callable[[], StoreSyncUnitOfWork],
    sealer: Sealer,
    guards: Guards,
    settings: StoreSyncSettings,
    now: Clock,
) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["pos"])
    own = [Depends(guards.shop)]  # the shop of the path, with one of its keys
    own_or_admin = [Depends(guards.shop_or_admin)]  # reads: the shop itself or the back office

    def _at_most(count: int, field: str) -> None:
        if count > settings.max_upload_transactions:
            raise ApiError(422, "TooMany", f"at most {settings.max_upload_transactions} per upload", field=field)

    async def _ingest(shop_id: str, transactions: tuple[Transaction, ...]) -> list[Outcome]:
        command = commands.IngestTransactions(shop_id, transactions)
        return await answer(ingestion.ingest(command, uow(), sealer, now))

    async def _one(shop_id: str, transaction: Transaction, response: Response) -> OutcomeOut:
        [outcome] = await _ingest(shop_id, (transaction,))
        response.status_code = _SINGLE_STATUS[outcome.result]
        return OutcomeOut.model_validate(outcome.__dict__)

    @router.post(
        "/shops/{shop_id}/transactions",
        dependencies=own,
        summary="Upload transactions (one, or an offline till's backlog): each has one effect, however often sent",
    )
    async def upload(shop_id: str, body: UploadIn) -> UploadOut:
        _at_most(len(body.transactions), "transactions")
        return upload_out(shop_id, await _ingest(shop_id, to_domain(body.transactions)))

    @router.post("/shops/{shop_id}/sales", dependencies=own, status_code=201, summary="One sale")
    async def sale(shop_id: str, body: SaleIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/returns", dependencies=own, status_code=201, summary="One return at the counter")
    async def return_(shop_id: str, body: ReturnIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/trade-ins", dependencies=own, status_code=201, summary="A device bought from a customer"
    )
    async def trade_in(shop_id: str, body: TradeInIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/repairs", dependencies=own, status_code=201, summary="A device left for repair")
    async def repair(shop_id: str, body: RepairIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/stock-counts", dependencies=own, status_code=201, summary="What the shelves hold")
    async def stock_count(shop_id: str, body: StockCountIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/day-closes", dependencies=own, status_code=201, summary="The till's end-of-day report"
    )
    async def day_close(shop_id: str, body: DayCloseIn, response: Response) -> OutcomeOut:
        return await _one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/partner/tickets",
        dependencies=own,
        tags=["partner"],
        summary="Tickets in the partner operator's format: mapped and recorded, or quarantined with the reason",
    )
    async def partner_tickets(shop_id: str, body: TicketsIn) -> TicketsOut:
        _at_most(len(body.tickets), "tickets")
        command = commands.IngestPartnerTickets(shop_id, tuple(body.tickets))
        return tickets_out(shop_id, await answer(partner.ingest_partner(command, uow(), sealer, now)))

    @router.post(
        "/shops/{shop_id}/partner/exports",
        dependencies=own,
        tags=["partner"],
        summary="The partner till's CSV end-of-day export (text/csv, ';'-separated)",
        openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}},
    )
    async def partner_export(shop_id: str, request: Request) -> TicketsOut:
        raw = await request.body()
        if len(raw) > _CSV_LIMIT:
            raise ApiError(413, "TooLarge", "an export is at most 20 MiB", field="body")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")  # spreadsheet exports of French tills
        tickets = await answer(_read_export(text))
        _at_most(len(tickets), "body")
        command = commands.IngestPartnerTickets(shop_id, tuple(tickets))
        return tickets_out(shop_id, await answer(partner.ingest_partner(command, uow(), sealer, now)))

    @router.get(
        "/shops/{shop_id}",
        dependencies=own_or_admin,
        summary="The shop as the registry knows it (market, time zone, policy)",
    )
    async def get_shop(shop_id: str) -> ShopOut:
        async with pool().acquire() as conn:
            found = await ShopRepository(conn, []).get(shop_id)
        if found is None:
            raise ApiError(404, "NotFound", f"no shop {shop_id}", field="shop_id")
        return shop_out(found)

    @router.get(
        "/shops/{shop_id}/feed",
        dependencies=own_or_admin,
        tags=["feed"],
        response_model=FeedOut,
        summary="Catalog, prices and availability for the shop, changed since a cursor (or ETag)",
        responses={304: {"description": "Nothing changed since the ETag sent in If-None-Match"}},
    )
    async def feed(
        shop_id: str,
        response: Response,
        cursor: Annotated[int | None, Query(ge=0)] = None,
        limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> FeedOut | Response:
        since = cursor if cursor is not None else _etag_cursor(if_none_match)
        async with pool().acquire() as conn:
            shop = await ShopRepository(conn, []).get(shop_id)
            assert shop is not None
            items = await FeedReader(conn).changes(shop_id, shop.market, since, limit or settings.feed_page_size, now())
        next_cursor = items[-1].seq if items else since
        etag = f'"{next_cursor}"'
        if not items and if_none_match is not None:
            return Response(status_code=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        more = len(items) == (limit or settings.feed_page_size)
        return FeedOut(
            shop_id=shop_id,
            market=shop.market,
            cursor=since,
            next_cursor=next_cursor,
            more=more,
            items=[feed_item(i) for i in items],
        )

    @router.get(
        "/shops/{shop_id}/quarantine",
        dependencies=own_or_admin,
        tags=["partner"],
        summary="The shop's tickets waiting for a mapping",
    )
    async def shop_quarantine(shop_id: str) -> list[QuarantinedOut]:
        async with pool().acquire() as conn:
            items = await QuarantineRepository(conn).open_items(shop_id=shop_id)
        return [quarantined_out(i) for i in items]

    @router.get(
        "/shops/{shop_id}/collected",
        dependencies=own_or_admin,
        tags=["collection"],
        summary="Devices waiting for a shipment",
    )
    async def collected(shop_id: str) -> list[CollectedOut]:
        async with pool().acquire() as conn:
            waiting = await ShipmentRepository(conn, []).waiting(shop_id)
        return [collected_out(c) for c in waiting]

    @router.post(
        "/shops/{shop_id}/shipments",
        dependencies=own,
        status_code=201,
        tags=["collection"],
        summary="Ship devices left at the shop (all of them by default) to the refurbishment centre",
    )
    async def ship(shop_id: str, body: ShipmentIn) -> ShipmentOut:
        units = tuple(body.unit_ids) if body.unit_ids is not None else None
        command = commands.DispatchShipment(
            shop_id, body.shipment_ref, body.to_location_id, units, body.carrier_reference
        )
        return shipment_out(await answer(shipments.dispatch(command, uow(), now)))

    return router


async def _read_export(text: str) -> list[dict[str, object]]:
    return tickets_from_csv(text)


def _etag_cursor(if_none_match: str | None) -> int:
    value = (if_none_match or "").strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else 0
