"""What a shop's till uploads in reloop's format: a backlog, or one transaction at a time. Every
route acts for the shop of the path, with one of that shop's keys."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from reloop_shared.http.errors import ApiError, ErrorBody
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

_SINGLE_STATUS = {"recorded": 201, "duplicate": 200, "waiting_for_sale": 202}
_SINGLE_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"model": OutcomeOut, "description": "Sent before and on record as it is now: nothing more happened."},
    202: {"model": OutcomeOut, "description": "A return whose sale has not arrived yet: applied once it does."},
    409: {
        "model": ErrorBody,
        "description": "This `client_txn_id` is on record for other content: the error body, with the "
        "transaction's `client_txn_id`, `kind` and `canonical_id`.",
    },
}
"""A single transaction's answers besides 201: a till sending again must tell them apart."""


def transaction_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["pos"], dependencies=[edge.guards.shop])

    async def ingest(shop_id: str, transactions: tuple[Transaction, ...]) -> list[Outcome]:
        command = commands.IngestTransactions(shop_id, transactions)
        return await ingestion.ingest(command, edge.unit_of_work(), edge.sealer, edge.clock)

    async def one(shop_id: str, transaction: Transaction, response: Response) -> OutcomeOut:
        [outcome] = await ingest(shop_id, (transaction,))
        if outcome.result == "conflict":
            # A refusal like any other (the one error body), still naming what the till sent.
            raise ApiError(
                409,
                "Conflict",
                outcome.detail,
                field="client_txn_id",
                client_txn_id=outcome.client_txn_id,
                kind=outcome.kind,
                canonical_id=outcome.canonical_id,
            )
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

    @router.post("/shops/{shop_id}/sales", status_code=201, summary="One sale", responses=_SINGLE_ANSWERS)
    async def sale(shop_id: str, body: SaleIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/returns", status_code=201, summary="One return at the counter", responses=_SINGLE_ANSWERS
    )
    async def return_(shop_id: str, body: ReturnIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/trade-ins",
        status_code=201,
        summary="A device bought from a customer",
        responses=_SINGLE_ANSWERS,
    )
    async def trade_in(shop_id: str, body: TradeInIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/repairs", status_code=201, summary="A device left for repair", responses=_SINGLE_ANSWERS
    )
    async def repair(shop_id: str, body: RepairIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/stock-counts", status_code=201, summary="What the shelves hold", responses=_SINGLE_ANSWERS
    )
    async def stock_count(shop_id: str, body: StockCountIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    @router.post(
        "/shops/{shop_id}/day-closes",
        status_code=201,
        summary="The till's end-of-day report",
        responses=_SINGLE_ANSWERS,
    )
    async def day_close(shop_id: str, body: DayCloseIn, response: Response) -> OutcomeOut:
        return await one(shop_id, body.domain(), response)

    return router
