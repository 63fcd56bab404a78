"""Quotes on the twin: priced from the grid, locked until expiry, the soft deny-list check, one
open trade-in per device, accepting, shipping, cancelling and expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from services.trade_in.tests.builders import accepted, imei, quoted, received, stored, with_grid
from services.trade_in.tests.fakes import START, TradeInTwin
from trade_in.domain import commands
from trade_in.domain.errors import DeviceAlreadyOpen, InvalidTransition, NoPrice, NotFound, QuoteExpired
from trade_in.domain.pricing import GridEntry, GridKey
from trade_in.service_layer.deadlines import sweep_deadlines
from trade_in.service_layer.deny_list import deny_device
from trade_in.service_layer.quotes import accept_quote, cancel_trade_in, record_shipment


async def test_a_quote_takes_the_grids_price_for_the_declared_grade_and_expires_after_21_days() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, grade="very_good")
    assert (trade_in.status, trade_in.offered, trade_in.expires_at) == (
        "quoted",
        Money(35000, "EUR"),
        START + timedelta(days=21),
    )
    [event] = twin.store.published(contract.TradeInQuoted)
    assert (event.trade_in_id, event.offered.amount_minor, event.voucher_bonus_bps) == (
        trade_in.trade_in_id,
        35000,
        1000,
    )


async def test_the_quoted_price_counts_the_models_age_today() -> None:
    twin = await with_grid(TradeInTwin())
    twin.clock.advance(timedelta(days=62))  # two whole months since release at 2% a month
    assert (await quoted(twin)).offered == Money(40000 * 96 // 100, "EUR")


async def test_a_device_the_grid_does_not_price_is_not_quoted_and_nothing_is_kept() -> None:
    twin = TradeInTwin()
    with pytest.raises(NoPrice):
        await quoted(twin)
    assert twin.tables.trade_ins == {}
    assert twin.store.outbox == []


async def test_a_deny_listed_imei_is_still_quoted_but_flagged_for_the_customer() -> None:
    twin = await with_grid(TradeInTwin())
    await deny_device(commands.DenyDevice(imei(1), "reported stolen", "staff"), twin.unit_of_work(), twin.clock)
    assert (await quoted(twin, identifier=imei(1))).deny_listed_at_quote is True
    assert (await quoted(twin, identifier=imei(2))).deny_listed_at_quote is False


async def test_the_same_imei_cannot_be_in_two_open_trade_ins() -> None:
    twin = await with_grid(TradeInTwin())
    first = await quoted(twin, identifier=imei(7))
    with pytest.raises(DeviceAlreadyOpen, match=first.trade_in_id) as refused:
        await quoted(twin, identifier=imei(7))
    assert refused.value.field == "identifier"
    assert len(twin.tables.trade_ins) == 1


async def test_a_device_whose_trade_in_was_cancelled_can_be_quoted_again() -> None:
    twin = await with_grid(TradeInTwin())
    first = await quoted(twin, identifier=imei(7))
    await cancel_trade_in(
        commands.CancelTradeIn(first.trade_in_id, "cust-1", "customer:cust-1"), twin.unit_of_work(), twin.clock
    )
    assert (await quoted(twin, identifier=imei(7))).status == "quoted"


async def test_the_same_imei_arriving_for_another_open_trade_in_is_refused_at_receipt() -> None:
    twin = await with_grid(TradeInTwin())
    first = await quoted(twin, identifier=imei(7))
    second = await quoted(twin)
    await accepted(twin, second.trade_in_id)
    with pytest.raises(DeviceAlreadyOpen, match=first.trade_in_id):
        await received(twin, second.trade_in_id, imei(7))
    assert stored(twin, second.trade_in_id).status == "in_transit"


async def test_accepting_with_a_parcel_reference_puts_the_device_in_transit_with_both_steps_in_history() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await accepted(twin, (await quoted(twin)).trade_in_id)
    assert trade_in.status == "in_transit"
    assert [(h.from_status, h.to_status, h.by) for h in trade_in.history] == [
        (None, "quoted", "customer:cust-1"),
        ("quoted", "accepted", "customer:cust-1"),
        ("accepted", "in_transit", "customer:cust-1"),
    ]
    [event] = twin.store.published(contract.TradeInAccepted)
    assert (event.payout_method, event.shipment_reference) == ("bank_transfer", "PARCEL-1")


async def test_a_shipment_can_be_recorded_after_accepting_without_one() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin)
    accept = commands.AcceptQuote(trade_in.trade_in_id, "voucher", None, "cust-1", "customer:cust-1")
    assert (await accept_quote(accept, twin.unit_of_work(), twin.clock)).status == "accepted"
    ship = commands.RecordShipment(trade_in.trade_in_id, "COLISSIMO-9", "cust-1", "customer:cust-1")
    shipped = await record_shipment(ship, twin.unit_of_work(), twin.clock)
    assert (shipped.status, shipped.shipment_reference) == ("in_transit", "COLISSIMO-9")


async def test_an_expired_quote_cannot_be_accepted_and_nothing_changes() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin)
    twin.clock.advance(timedelta(days=21))
    with pytest.raises(QuoteExpired):
        await accepted(twin, trade_in.trade_in_id)
    assert stored(twin, trade_in.trade_in_id).status == "quoted"
    assert twin.store.published(contract.TradeInAccepted) == []


async def test_the_deadline_sweep_expires_quotes_past_their_expiry_and_leaves_the_others() -> None:
    twin = await with_grid(TradeInTwin())
    old = await quoted(twin)
    twin.clock.advance(timedelta(days=10))
    young = await quoted(twin)
    twin.clock.advance(timedelta(days=11))
    assert await sweep_deadlines(twin.unit_of_work(), twin.clock, twin.policy) == 1
    assert (stored(twin, old.trade_in_id).status, stored(twin, young.trade_in_id).status) == ("expired", "quoted")
    [event] = twin.store.published(contract.TradeInExpired)
    assert event.trade_in_id == old.trade_in_id


async def test_a_customer_cancels_before_receipt_but_not_after() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, identifier=imei(3))
    await accepted(twin, trade_in.trade_in_id)
    await received(twin, trade_in.trade_in_id, imei(3))
    cancel = commands.CancelTradeIn(trade_in.trade_in_id, "cust-1", "customer:cust-1")
    with pytest.raises(InvalidTransition, match="received") as refused:
        await cancel_trade_in(cancel, twin.unit_of_work(), twin.clock)
    assert refused.value.field == "status"


async def test_a_customer_cannot_touch_another_customers_trade_in_it_is_not_found() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, customer_id="cust-1")
    cancel = commands.CancelTradeIn(trade_in.trade_in_id, "cust-2", "customer:cust-2")
    with pytest.raises(NotFound):
        await cancel_trade_in(cancel, twin.unit_of_work(), twin.clock)
    assert stored(twin, trade_in.trade_in_id).status == "quoted"


async def test_a_grid_change_does_not_move_a_price_already_quoted() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin)
    async with twin.unit_of_work() as uow:
        entry = twin.tables.price_grid[GridKey("FR", "iphone-13", 128, "excellent")]
        await uow.price_grid.put(GridEntry(entry.key, Money(1000, "EUR"), entry.released_on, 0, Money(0, "EUR")))
        await uow.commit()
    assert stored(twin, trade_in.trade_in_id).offered == Money(40000, "EUR")
