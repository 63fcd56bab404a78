"""Quoting a device, and what the customer does with the quote: accept, ship, cancel."""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.events import Device
from trade_in.domain.policy import TradeInPolicy
from trade_in.domain.pricing import GridKey, offer_for
from trade_in.domain.trade_ins import TradeIn, ensure_not_open_elsewhere
from trade_in.service_layer.lookup import move
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


def new_trade_in_id() -> str:
    return f"ti_{uuid4().hex}"


async def quote_trade_in(
    cmd: commands.QuoteTradeIn,
    uow: TradeInUnitOfWork,
    clock: Clock,
    policy: TradeInPolicy,
    new_id: Callable[[], str] = new_trade_in_id,
) -> TradeIn:
    """Price the device from the grid (its age counted today) and lock that price until expiry."""
    key = GridKey(cmd.market, cmd.model_family, cmd.storage_gb, cmd.declared.grade)
    trade_in_id = new_id()
    async with uow:
        entry = await uow.price_grid.get(key)
        listed = await uow.deny_list.check(cmd.identifier) if cmd.identifier else None
        open_one = await uow.trade_ins.open_with(cmd.identifier) if cmd.identifier else None
        now = clock.now()
        if cmd.identifier is not None:
            ensure_not_open_elsewhere(cmd.identifier, open_one, trade_in_id)
        trade_in = TradeIn.quote(
            trade_in_id,
            market=cmd.market,
            customer_id=cmd.customer_id,
            channel=cmd.channel,
            shop_id=cmd.shop_id,
            device=Device(cmd.model_family, cmd.storage_gb, cmd.category, cmd.identifier),
            declared=cmd.declared,
            offered=offer_for(entry, key, now),
            voucher_bonus_bps=policy.bonus_in(cmd.market),
            expires_at=now + policy.quote_validity,
            deny_listed=listed is not None,
            by=cmd.by,
            at=now,
        )
        await uow.trade_ins.add(trade_in)
        await uow.commit()
    return trade_in


async def accept_quote(cmd: commands.AcceptQuote, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(
        uow,
        cmd.trade_in_id,
        lambda trade_in: trade_in.accept(cmd.payout_method, cmd.shipment_reference, by=cmd.by, at=clock.now()),
        customer_id=cmd.customer_id,
    )


async def record_shipment(cmd: commands.RecordShipment, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(
        uow,
        cmd.trade_in_id,
        lambda trade_in: trade_in.ship(cmd.shipment_reference, by=cmd.by, at=clock.now()),
        customer_id=cmd.customer_id,
    )


async def cancel_trade_in(cmd: commands.CancelTradeIn, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(
        uow, cmd.trade_in_id, lambda trade_in: trade_in.cancel(by=cmd.by, at=clock.now()), customer_id=cmd.customer_id
    )
