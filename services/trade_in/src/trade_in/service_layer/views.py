"""Reads: a trade-in with its history, lists of them, and a shop's grading accuracy."""

from __future__ import annotations

from datetime import datetime

from trade_in.domain.errors import NotFound
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.ports import GradingAccuracy, TradeInQuery
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def trade_in_view(uow: TradeInUnitOfWork, trade_in_id: str, *, customer_id: str | None = None) -> TradeIn:
    async with uow:
        trade_in = await uow.trade_ins.get(trade_in_id)
    if trade_in is None or (customer_id is not None and trade_in.customer_id != customer_id):
        raise NotFound(f"no trade-in {trade_in_id}", field="trade_in_id")
    return trade_in


async def trade_ins(
    uow: TradeInUnitOfWork, query: TradeInQuery, after: tuple[datetime, str] | None, limit: int
) -> list[TradeIn]:
    async with uow:
        return await uow.trade_ins.find(query, after, limit)


async def grading_accuracy(uow: TradeInUnitOfWork, shop_id: str) -> GradingAccuracy:
    async with uow:
        return await uow.trade_ins.grading_accuracy(shop_id)
