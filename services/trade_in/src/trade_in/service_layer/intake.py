"""Devices arriving: mailed in to the refurbishment centre, bought at a shop on the spot, or
collected at a shop for the centre."""

from __future__ import annotations

from uuid import NAMESPACE_URL, uuid5

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.events import Device
from trade_in.domain.grades import GRADES, Grade
from trade_in.domain.trade_ins import TradeIn, ensure_not_open_elsewhere
from trade_in.service_layer.lookup import move, trade_in_of
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def receive_device(cmd: commands.ReceiveDevice, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    """The hard checks: the deny list, an activation lock, and the device being the one quoted."""
    async with uow:
        trade_in = await trade_in_of(uow, cmd.trade_in_id)
        listed = await uow.deny_list.check(cmd.identifier)
        open_one = await uow.trade_ins.open_with(cmd.identifier)
        ensure_not_open_elsewhere(cmd.identifier, open_one, trade_in.trade_in_id)
        trade_in.receive(
            cmd.location_id,
            cmd.identifier,
            activation_locked=cmd.activation_locked,
            deny_listed=listed,
            by=cmd.by,
            at=clock.now(),
        )
        await uow.trade_ins.save(trade_in)
        await uow.commit()
    return trade_in


async def release_hold(cmd: commands.ReleaseHold, uow: TradeInUnitOfWork, clock: Clock) -> TradeIn:
    return await move(uow, cmd.trade_in_id, lambda trade_in: trade_in.release(by=cmd.by, at=clock.now()))


def shop_trade_in_id(drop_off_id: str) -> str:
    """The same drop-off always makes the same trade-in, whichever copy of the event comes in."""
    return f"ti_{uuid5(NAMESPACE_URL, f'reloop:drop-off:{drop_off_id}').hex}"


def _shop_grade(condition: str) -> Grade | None:
    """The shop's grade when its till wrote one of ours; free text grades nothing we can compare."""
    text = condition.strip().lower()
    return next((grade for grade in GRADES if grade == text), None)


async def when_trade_in_dropped_off_record_it_settled(
    cmd: commands.RecordShopTradeIn, uow: TradeInUnitOfWork
) -> TradeIn:
    """A shop bought a device: the trade-in starts settled, at what the shop paid."""
    async with uow:
        known = await uow.trade_ins.by_drop_off(cmd.drop_off_id)
        if known is not None:
            return known
        trade_in = TradeIn.settled_at_shop(
            shop_trade_in_id(cmd.drop_off_id),
            drop_off_id=cmd.drop_off_id,
            shop_id=cmd.shop_id,
            channel=cmd.channel,
            market=cmd.market,
            customer_id=cmd.customer_id,
            device=Device(cmd.sku or "unknown", 0, "other", cmd.identifier),
            shop_grade=_shop_grade(cmd.condition),
            paid=cmd.paid,
            payout_method=cmd.payout_method,
            at=cmd.dropped_off_at,
        )
        await uow.trade_ins.add(trade_in)
        await uow.commit()
    return trade_in


async def when_trade_in_dropped_off_collect_it(cmd: commands.CollectAtShop, uow: TradeInUnitOfWork) -> TradeIn:
    """A device quoted online was left at a shop: it is on its way to the centre, not settled at the
    shop. A trade-in that does not exist or cannot be collected any more is refused (the consumer
    dead-letters the drop-off with the reason)."""
    async with uow:
        trade_in = await trade_in_of(uow, cmd.trade_in_id)
        open_one = await uow.trade_ins.open_with(cmd.identifier)
        trade_in.collect_at_shop(
            cmd.shop_id,
            cmd.drop_off_id,
            cmd.identifier,
            cmd.payout_method,
            open_elsewhere=open_one,
            at=cmd.dropped_off_at,
        )
        await uow.trade_ins.save(trade_in)
        await uow.commit()
    return trade_in
