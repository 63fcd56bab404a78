"""A bought device refurbished and graded for resale: it becomes a unit inventory will receive."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.lookup import move
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


def new_unit_id() -> str:
    return f"unit_{uuid4().hex}"


async def mark_ready_for_sale(
    cmd: commands.MarkReadyForSale, uow: TradeInUnitOfWork, clock: Clock, new_id: Callable[[], str] = new_unit_id
) -> TradeIn:
    return await move(
        uow,
        cmd.trade_in_id,
        lambda trade_in: trade_in.ready_for_sale(new_id(), cmd.sku, cmd.grade, by=cmd.by, at=clock.now()),
    )
