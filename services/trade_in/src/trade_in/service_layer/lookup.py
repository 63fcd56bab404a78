"""Finding the trade-in a request names, as the caller may see it."""

from __future__ import annotations

from collections.abc import Callable

from trade_in.domain.errors import NotFound
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def trade_in_of(uow: TradeInUnitOfWork, trade_in_id: str, *, customer_id: str | None = None) -> TradeIn:
    """The trade-in, locked until the commit. A customer asking about someone else's trade-in is
    told it does not exist: whether an id is taken is nobody else's business."""
    trade_in = await uow.trade_ins.get(trade_in_id, for_update=True)
    if trade_in is None or (customer_id is not None and trade_in.customer_id != customer_id):
        raise NotFound(f"no trade-in {trade_in_id}", field="trade_in_id")
    return trade_in


async def move(
    uow: TradeInUnitOfWork,
    trade_in_id: str,
    step: Callable[[TradeIn], object],
    *,
    customer_id: str | None = None,
) -> TradeIn:
    """One move of a trade-in's state machine: load it locked (a customer's own only), let the
    domain decide (`step`), save it with the events it raised."""
    async with uow:
        trade_in = await trade_in_of(uow, trade_in_id, customer_id=customer_id)
        step(trade_in)
        await uow.trade_ins.save(trade_in)
        await uow.commit()
    return trade_in
