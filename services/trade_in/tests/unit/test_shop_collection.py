"""Collection at a shop on the twin: a trade-in quoted online and left at a shop goes on as if it
had been mailed (received, inspected, paid by the centre), under the same rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from services.trade_in.tests.builders import imei, inspected, quoted, received, stored, with_grid
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.errors import DeviceAlreadyOpen, QuoteExpired
from trade_in.service_layer.intake import when_trade_in_dropped_off_collect_it
from trade_in.service_layer.payouts import pay_out


def _collect(twin: TradeInTwin, trade_in_id: str, identifier: DeviceIdentifier) -> commands.CollectAtShop:
    return commands.CollectAtShop(
        trade_in_id, f"DO-{trade_in_id[-6:]}", "PAR-01", identifier, "bank_transfer", twin.clock.now()
    )


async def test_a_device_collected_at_a_shop_is_received_inspected_and_paid_by_the_centre() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin)
    await when_trade_in_dropped_off_collect_it(_collect(twin, trade_in.trade_in_id, imei(41)), twin.unit_of_work())
    await received(twin, trade_in.trade_in_id, imei(41))
    await inspected(twin, trade_in.trade_in_id, "excellent")
    payout = await pay_out(
        commands.PayOut(trade_in.trade_in_id, "staff-pay"), twin.unit_of_work(), twin.clock, twin.policy
    )
    assert (payout.trade_in.status, payout.trade_in.paid) == ("paid", Money(40000, "EUR"))
    assert [t.to_status for t in stored(twin, trade_in.trade_in_id).history] == [
        "quoted",
        "accepted",
        "in_transit",
        "received",
        "inspected",
        "paid",
    ]
    assert twin.store.published(contract.ShopTradeInRecorded) == []


async def test_the_identifier_quoted_is_kept_and_the_receipt_compares_it_with_the_device_that_arrives() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, identifier=imei(42))
    await when_trade_in_dropped_off_collect_it(_collect(twin, trade_in.trade_in_id, imei(43)), twin.unit_of_work())
    assert stored(twin, trade_in.trade_in_id).device.identifier == imei(42)
    arrived = await received(twin, trade_in.trade_in_id, imei(43))
    assert (arrived.status, arrived.hold_reason) == ("on_hold", "identity_mismatch")


async def test_a_quote_that_expired_before_the_hand_over_is_not_collected() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin)
    twin.clock.advance(twin.policy.quote_validity + timedelta(minutes=1))
    with pytest.raises(QuoteExpired):
        await when_trade_in_dropped_off_collect_it(_collect(twin, trade_in.trade_in_id, imei(44)), twin.unit_of_work())
    assert stored(twin, trade_in.trade_in_id).status == "quoted"


async def test_a_device_in_another_open_trade_in_is_refused_at_collection() -> None:
    twin = await with_grid(TradeInTwin())
    await quoted(twin, customer_id="cust-2", identifier=imei(45))
    trade_in = await quoted(twin)
    with pytest.raises(DeviceAlreadyOpen):
        await when_trade_in_dropped_off_collect_it(_collect(twin, trade_in.trade_in_id, imei(45)), twin.unit_of_work())
    assert stored(twin, trade_in.trade_in_id).device.identifier is None
