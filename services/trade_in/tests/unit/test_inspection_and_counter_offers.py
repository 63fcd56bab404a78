"""Inspection: as declared keeps the offer; worse lowers it only with findings, as a counter-offer
the customer answers in a window, silence taking the configured default; declined goes back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from services.trade_in.tests.builders import accepted, imei, inspected, quoted, received, stored, with_grid
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.counter_offers import CounterOfferPolicy
from trade_in.domain.errors import AnswerWindowClosed, FindingsRequired, InvalidTransition, NotFound
from trade_in.domain.policy import TradeInPolicy
from trade_in.service_layer.deadlines import sweep_deadlines
from trade_in.service_layer.inspection import answer_counter_offer, mark_returned
from trade_in.service_layer.payouts import pay_out


async def _received(twin: TradeInTwin, n: int = 9) -> str:
    trade_in = await quoted(twin, identifier=imei(n), grade="excellent")
    await accepted(twin, trade_in.trade_in_id)
    await received(twin, trade_in.trade_in_id, imei(n))
    return trade_in.trade_in_id


def _answer(trade_in_id: str, accepted: bool, customer: str = "cust-1") -> commands.AnswerCounterOffer:
    return commands.AnswerCounterOffer(trade_in_id, accepted, customer, f"customer:{customer}")


async def test_a_device_as_good_as_declared_keeps_its_offer() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await inspected(twin, await _received(twin), "excellent")
    assert (trade_in.status, trade_in.offered, trade_in.counter_offer) == ("inspected", Money(40000, "EUR"), None)
    [event] = twin.store.published(contract.DeviceInspected)
    assert (event.grade, event.worse_than_declared) == ("excellent", False)


async def test_a_better_grade_than_declared_never_raises_the_offer() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, identifier=imei(9), grade="good")
    await accepted(twin, trade_in.trade_in_id)
    await received(twin, trade_in.trade_in_id, imei(9))
    assert (await inspected(twin, trade_in.trade_in_id, "excellent")).offered == Money(30000, "EUR")


async def test_a_worse_grade_makes_a_lower_counter_offer_with_the_findings_and_a_7_day_window() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await inspected(twin, await _received(twin), "good", "deep scratch on the screen")
    assert (trade_in.status, trade_in.counter_offer, trade_in.answer_by) == (
        "counter_offered",
        Money(30000, "EUR"),
        twin.clock.now() + timedelta(days=7),
    )
    [offer] = twin.store.published(contract.CounterOfferMade)
    assert (offer.offered.amount_minor, offer.findings) == (30000, ["deep scratch on the screen"])


async def test_a_worse_grade_without_findings_is_refused_and_nothing_is_recorded() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    with pytest.raises(FindingsRequired) as refused:
        await inspected(twin, trade_in_id, "fair")
    assert refused.value.field == "findings"
    assert stored(twin, trade_in_id).status == "received"
    assert twin.store.published(contract.DeviceInspected) == []


async def test_an_accepted_counter_offer_becomes_the_price_paid() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "fair", "battery at 70%")
    trade_in = await answer_counter_offer(_answer(trade_in_id, True), twin.unit_of_work(), twin.clock)
    assert (trade_in.status, trade_in.offered) == ("inspected", Money(20000, "EUR"))
    paid = await pay_out(commands.PayOut(trade_in_id, "staff-pay"), twin.unit_of_work(), twin.clock, twin.policy)
    assert paid.trade_in.paid == Money(20000, "EUR")


async def test_a_declined_counter_offer_sends_the_device_back_and_pays_nothing() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "fair", "cracked back")
    declined = await answer_counter_offer(_answer(trade_in_id, False), twin.unit_of_work(), twin.clock)
    assert declined.status == "returning"
    with pytest.raises(InvalidTransition, match="returning"):
        await pay_out(commands.PayOut(trade_in_id, "staff-pay"), twin.unit_of_work(), twin.clock, twin.policy)
    back = await mark_returned(commands.MarkReturned(trade_in_id, "staff-ana"), twin.unit_of_work(), twin.clock)
    assert (back.status, back.paid) == ("returned", None)
    assert twin.tables.payouts == {}
    assert twin.store.published(contract.TradeInPaid) == []
    [returned] = twin.store.published(contract.DeviceReturned)
    assert returned.trade_in_id == trade_in_id


async def test_an_answer_after_the_window_is_refused_because_the_default_applies() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "fair", "cracked back")
    twin.clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(AnswerWindowClosed):
        await answer_counter_offer(_answer(trade_in_id, True), twin.unit_of_work(), twin.clock)


async def test_silence_past_the_window_takes_the_configured_default_decline() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "fair", "cracked back")
    twin.clock.advance(timedelta(days=8))
    await sweep_deadlines(twin.unit_of_work(), twin.clock, twin.policy)
    assert stored(twin, trade_in_id).status == "returning"
    [answer] = twin.store.published(contract.CounterOfferAnswered)
    assert (answer.accepted, answer.by_default) == (False, True)


async def test_silence_takes_accept_where_the_business_configured_it() -> None:
    policy = TradeInPolicy(counter_offers=CounterOfferPolicy(timedelta(days=3), "accept"))
    twin = await with_grid(TradeInTwin(policy=policy))
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "good", "scratches")
    twin.clock.advance(timedelta(days=4))
    await sweep_deadlines(twin.unit_of_work(), twin.clock, twin.policy)
    trade_in = stored(twin, trade_in_id)
    assert (trade_in.status, trade_in.offered) == ("inspected", Money(30000, "EUR"))
    assert trade_in.history[-1].by == "system"


async def test_the_counter_offer_uses_the_grid_as_it_stood_at_the_quote_not_after_weeks_of_shipping() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    twin.clock.advance(timedelta(days=60))
    assert (await inspected(twin, trade_in_id, "good", "scratches")).counter_offer == Money(30000, "EUR")


async def test_another_customer_cannot_answer_a_counter_offer() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _received(twin)
    await inspected(twin, trade_in_id, "fair", "cracked back")
    with pytest.raises(NotFound):
        await answer_counter_offer(_answer(trade_in_id, True, "cust-2"), twin.unit_of_work(), twin.clock)
