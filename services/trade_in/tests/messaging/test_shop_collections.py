"""A trade-in quoted online that the customer brought to a shop: the shop collects the device for
the centre and pays nothing; the trade-in is on its way, not settled at the shop."""

from __future__ import annotations

import random
import uuid

from reloop_contracts import NonNegativeMoney, store
from reloop_contracts import trade_in as contract
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from reloop_localstack.testing import luhn_imei
from services.trade_in.tests.builders import grid, quote_command
from services.trade_in.tests.messaging.under_test import TradeInUnderTest
from trade_in.domain import commands
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.quotes import accept_quote, cancel_trade_in, quote_trade_in
from trade_in.service_layer.views import trade_in_view


async def _quoted(under_test: TradeInUnderTest, identifier: DeviceIdentifier | None = None) -> TradeIn:
    service = under_test.service
    async with service.unit_of_work() as uow:
        for entry in grid():
            await uow.price_grid.put(entry)
        await uow.commit()
    command = quote_command(customer_id=f"cust-{uuid.uuid4().hex[:8]}", identifier=identifier)
    return await quote_trade_in(command, service.unit_of_work(), under_test.clock, under_test.policy)


async def _accepted(under_test: TradeInUnderTest, quoted: TradeIn) -> TradeIn:
    command = commands.AcceptQuote(quoted.trade_in_id, "bank_transfer", None, quoted.customer_id, "customer")
    return await accept_quote(command, under_test.service.unit_of_work(), under_test.clock)


def _left_at(under_test: TradeInUnderTest, shop_id: str, trade_in_id: str, imei: str = "") -> store.TradeInDroppedOff:
    return store.TradeInDroppedOff(
        drop_off_id=f"DO-{uuid.uuid4().hex[:12]}",
        shop_id=shop_id,
        channel="own_shop",
        market="FR",
        device=store.DroppedDevice(
            unit_id=f"U-{uuid.uuid4().hex[:10]}",
            identifier=WireIdentifier(kind="imei", value=imei or luhn_imei(random.randrange(10**12))),
        ),
        payout=NonNegativeMoney(amount_minor=0, currency="EUR"),
        payout_method="store_credit",
        dropped_off_at=under_test.clock.now(),
        pos_transaction_id=f"POS-{uuid.uuid4().hex[:8]}",
        trade_in_id=trade_in_id,
    )


def _shop() -> str:
    return f"SHOP-{uuid.uuid4().hex[:8]}"


async def test_an_accepted_trade_in_left_at_a_shop_is_on_its_way_to_the_centre_not_settled_there(
    under_test: TradeInUnderTest,
) -> None:
    service, shop = under_test.service, _shop()
    trade_in = await _accepted(under_test, await _quoted(under_test))
    event = _left_at(under_test, shop, trade_in.trade_in_id)
    await service.deliver(event, producer="store-sync", copies=2)
    collected = await trade_in_view(service.unit_of_work(), trade_in.trade_in_id)
    assert (collected.status, collected.paid, collected.drop_off_id) == ("in_transit", None, event.drop_off_id)
    assert collected.shipment_reference == f"drop-off {event.drop_off_id} at shop {shop}"
    assert collected.device.identifier == DeviceIdentifier("imei", event.device.identifier.value)
    last = collected.history[-1]
    assert (last.from_status, last.to_status, last.by) == ("accepted", "in_transit", f"shop:{shop}")
    assert [e for e in await service.published(contract.ShopTradeInRecorded) if e.shop_id == shop] == []
    shipped = [e for e in await service.published(contract.TradeInShipped) if e.trade_in_id == trade_in.trade_in_id]
    assert [(e.shop_id, e.drop_off_id) for e in shipped] == [(shop, event.drop_off_id)], "told once, as the shop's"


async def test_a_quote_not_yet_accepted_is_accepted_by_the_hand_over_as_paid_at_the_counter_asked(
    under_test: TradeInUnderTest,
) -> None:
    service, shop = under_test.service, _shop()
    trade_in = await _quoted(under_test)
    event = _left_at(under_test, shop, trade_in.trade_in_id)
    await service.deliver(event, producer="store-sync")
    collected = await trade_in_view(service.unit_of_work(), trade_in.trade_in_id)
    assert [t.to_status for t in collected.history] == ["quoted", "accepted", "in_transit"]
    accepted = [e for e in await service.published(contract.TradeInAccepted) if e.trade_in_id == trade_in.trade_in_id]
    assert [(e.payout_method, e.shipment_reference) for e in accepted] == [("voucher", None)]
    shipped = [e for e in await service.published(contract.TradeInShipped) if e.trade_in_id == trade_in.trade_in_id]
    assert [(e.shipment_reference, e.shop_id, e.drop_off_id) for e in shipped] == [(None, shop, event.drop_off_id)]


async def test_the_same_drop_off_told_again_changes_nothing(under_test: TradeInUnderTest) -> None:
    service = under_test.service
    trade_in = await _accepted(under_test, await _quoted(under_test))
    event = _left_at(under_test, _shop(), trade_in.trade_in_id)
    await service.deliver(event, producer="store-sync")
    before = await trade_in_view(service.unit_of_work(), trade_in.trade_in_id)
    await service.deliver(event.model_copy(), producer="store-sync")  # a new event id: past the engine's check
    after = await trade_in_view(service.unit_of_work(), trade_in.trade_in_id)
    assert (after.status, after.history) == (before.status, before.history)
    assert [d for d in await service.dead_letters() if event.drop_off_id in str(d)] == []


async def test_a_drop_off_naming_an_unknown_or_closed_trade_in_is_dead_lettered_with_the_reason(
    under_test: TradeInUnderTest,
) -> None:
    service = under_test.service
    cancelled = await _quoted(under_test)
    command = commands.CancelTradeIn(cancelled.trade_in_id, cancelled.customer_id, "customer")
    await cancel_trade_in(command, service.unit_of_work(), under_test.clock)
    unknown = _left_at(under_test, _shop(), f"ti_{uuid.uuid4().hex}")
    too_late = _left_at(under_test, _shop(), cancelled.trade_in_id)
    await service.deliver(unknown, too_late, producer="store-sync")
    letters = [str(d) for d in await service.dead_letters()]
    assert len([d for d in letters if unknown.drop_off_id in d and "no trade-in" in d]) == 1
    assert len([d for d in letters if too_late.drop_off_id in d and "cancelled" in d]) == 1
    kept = await trade_in_view(service.unit_of_work(), cancelled.trade_in_id)
    assert (kept.status, kept.drop_off_id) == ("cancelled", None)
