"""The centre's inspection, the counter-offer it may lead to, and the device's way back."""

from __future__ import annotations

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.inspection import judge
from trade_in.domain.policy import TradeInPolicy
from trade_in.domain.pricing import GridKey, offer_for
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.lookup import move, trade_in_of
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def inspect_device(
    cmd: commands.InspectDevice, uow: TradeInUnitOfWork, clock: Clock, policy: TradeInPolicy
) -> TradeIn:
    """Grade the device. A device a shop bought is graded against the shop's grade, never the
    customer's money. Otherwise, worse than declared: the grid's price for the real grade, as it stood
    when the quote was made (the customer does not pay for our shipping time), with the findings."""
    async with uow:
        trade_in = await trade_in_of(uow, cmd.trade_in_id)
        if trade_in.declared is None:  # bought at a shop: the centre's grade measures the shop
            trade_in.check_shop_grading(cmd.grade, cmd.findings, by=cmd.by, at=clock.now())
        else:
            trade_in.ensure_inspectable()
            key = GridKey(trade_in.market, trade_in.device.model_family, trade_in.device.storage_gb, cmd.grade)
            price = offer_for(await uow.price_grid.get(key), key, trade_in.quoted_at)
            verdict = judge(trade_in.declared.grade, trade_in.offered, cmd.grade, cmd.findings, price)
            trade_in.inspect(verdict, policy.counter_offers, by=cmd.by, at=clock.now())
        await uow.trade_ins.save(trade_in)
        await uow.commit()
    return trade_in


async def answer_counter_offer(cmd: commands.AnswerCounterOffer, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(
        uow,
        cmd.trade_in_id,
        lambda trade_in: trade_in.answer_counter_offer(cmd.accepted, by=cmd.by, at=clock.now()),
        customer_id=cmd.customer_id,
    )


async def mark_returned(cmd: commands.MarkReturned, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(uow, cmd.trade_in_id, lambda trade_in: trade_in.returned(by=cmd.by, at=clock.now()))
