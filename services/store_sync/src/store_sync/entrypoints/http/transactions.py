"""What a shop's till uploads in reloop's format: a backlog, or one transaction at a time. Every
route acts for the shop of the path, with one of that shop's keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from store_sync.domain import commands
from store_sync.domain.journal import Outcome
from store_sync.domain.transactions import Transaction
from store_sync.entrypoints.http.edge import UPLOAD_LIMIT, Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.transaction_schemas import (
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
from store_sync.service_layer import ingestion

_SINGLE_STATUS = {"recorded": 201, "duplicate": 200, "waiting_for_sale": 202, "conflict": 409}


def transaction_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["pos"], dependencies=[edge.guards.shop])

    async def ingest(shop_id: str, transactions: tuple[Transaction, ...]) -> list[Outcome]:
        command = commands.IngestTransactions(shop_id, transactions)
        return await ingestion.ingest(command, edge.unit_of_work(), edge.sealer, edge.clock)

    async def one(shop_id: str, transaction: Transaction, response: Response) -> OutcomeOut:
        [outcome] = await ingest(shop_id, (transaction,))
        response.status_code = _SINGLE_STATUS[outcome.result]
        return OutcomeOut.model_validate(outcome.__dict__)

    @router.post(
        "/shops/{shop_id}/transactions",
        max_body_size=UPLOAD_LIMIT,
        summary="Upload transactions (one, or an offline till's backlog): each has one effect, however often sent",
    )
    async def upload(shop_id: str, body: UploadIn) -> UploadOut:
        edge.at_most(len(body.transactions), "transactions")
        return upload_out(shop_id, await ingest(shop_id, to_domain(body.transactions)))

    @router.post("/shops/{shop_id}/sales", status_code=201, summary="One sale")
    async def sale(shop_id: str, body: SaleIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/returns", status_code=201, summary="One return at the counter")
    async def return_(shop_id: str, body: ReturnIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/trade-ins", status_code=201, summary="A device bought from a customer")
    async def trade_in(shop_id: str, body: TradeInIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/repairs", status_code=201, summary="A device left for repair")
    async def repair(shop_id: str, body: RepairIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/stock-counts", status_code=201, summary="What the shelves hold")
    async def stock_count(shop_id: str, body: StockCountIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post("/shops/{shop_id}/day-closes", status_code=201, summary="The till's end-of-day report")
    async def day_close(shop_id: str, body: DayCloseIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    return router
