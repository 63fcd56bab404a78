"""Dunning and fair use set per market: JSON objects keyed by market with a default for the markets
they do not name, the earlier single values still read as every market's, and a market whose
overdue states contradict each other refused at start, naming the market."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from reloop_contracts.amounts import Money
from repair.config import RepairSettings
from repair.domain.plans import FairUse, OverdueStates, RetrySchedule

DAY = timedelta(days=1)


def test_each_market_takes_its_own_dunning_and_fair_use_and_the_others_take_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPAIR_PLAN_PRICE_MINOR", '{"FR": 699, "DE": 799, "ES": 599}')
    monkeypatch.setenv("REPAIR_RETRY_AFTER_DAYS", '{"DE": [2, 5], "default": [1, 3, 7]}')
    monkeypatch.setenv("REPAIR_SUSPEND_AFTER_DAYS", '{"DE": 7, "default": 14}')
    monkeypatch.setenv("REPAIR_CANCEL_AFTER_DAYS", '{"DE": 10}')
    monkeypatch.setenv("REPAIR_WAITING_PERIOD_DAYS", '{"ES": 0}')
    monkeypatch.setenv("REPAIR_CLAIMS_PER_DEVICE_PER_YEAR", '{"DE": 2}')
    monkeypatch.setenv("REPAIR_DEVICES_PER_SUBSCRIPTION", '{"ES": 1, "default": 4}')
    plans = RepairSettings().plans()
    de, fr, es = plans.in_market("DE"), plans.in_market("FR"), plans.in_market("ES")
    assert de.price == Money(799, "EUR")
    assert de.retries == RetrySchedule((2 * DAY, 5 * DAY))
    assert de.overdue == OverdueStates(7 * DAY, 10 * DAY)
    assert de.fair_use == FairUse(30 * DAY, 2, 4)
    assert fr.retries == RetrySchedule((DAY, 3 * DAY, 7 * DAY))
    assert fr.overdue == OverdueStates(14 * DAY, 21 * DAY)  # an object without "default" keeps the built-in
    assert fr.fair_use == FairUse(30 * DAY, 3, 4)
    assert es.fair_use == FairUse(timedelta(0), 3, 1)


def test_the_earlier_single_values_are_read_as_every_markets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPAIR_PLAN_PRICE_MINOR", '{"FR": 699, "DE": 799}')
    monkeypatch.setenv("REPAIR_RETRY_AFTER_DAYS", "[2, 4]")
    monkeypatch.setenv("REPAIR_SUSPEND_AFTER_DAYS", "10")
    monkeypatch.setenv("REPAIR_CANCEL_AFTER_DAYS", "30")
    monkeypatch.setenv("REPAIR_WAITING_PERIOD_DAYS", "15")
    monkeypatch.setenv("REPAIR_CLAIMS_PER_DEVICE_PER_YEAR", "5")
    monkeypatch.setenv("REPAIR_DEVICES_PER_SUBSCRIPTION", "2")
    plans = RepairSettings().plans()
    for market in ("FR", "DE"):
        plan = plans.in_market(market)
        assert plan.retries == RetrySchedule((2 * DAY, 4 * DAY))
        assert plan.overdue == OverdueStates(10 * DAY, 30 * DAY)
        assert plan.fair_use == FairUse(15 * DAY, 5, 2)


def test_a_market_no_longer_sold_keeps_the_default_terms_at_the_price_its_subscriptions_pay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPAIR_SUSPEND_AFTER_DAYS", '{"FR": 14, "default": 9}')
    plans = RepairSettings().plans()
    gone = plans.keeping("BE", Money(599, "EUR"))
    assert (gone.market, gone.price, gone.overdue) == ("BE", Money(599, "EUR"), OverdueStates(9 * DAY, 21 * DAY))
    assert plans.keeping("FR", Money(1, "EUR")) == plans.in_market("FR")


def test_a_market_cancelling_before_it_suspends_is_refused_at_start_naming_the_market(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REPAIR_CANCEL_AFTER_DAYS", '{"FR": 10}')
    with pytest.raises(ValidationError, match="in FR: a subscription is suspended before it is cancelled"):
        RepairSettings()


def test_a_key_that_is_neither_a_market_nor_default_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPAIR_SUSPEND_AFTER_DAYS", '{"france": 14}')
    with pytest.raises(ValidationError, match="keys are markets"):
        RepairSettings()
    monkeypatch.setenv("REPAIR_SUSPEND_AFTER_DAYS", '{"FR": 0}')
    with pytest.raises(ValidationError, match="greater than 0"):
        RepairSettings()
