"""The pure rules: the retry schedule and the overdue states apart, the calendar period, fair use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from repair.domain import dunning
from repair.domain.fair_use import check_devices, claim_refusal
from repair.domain.plans import FairUse, OverdueStates, RetrySchedule
from repair.domain.subscription_errors import FairUseBroken
from services.repair.tests.subscription_builders import FR

DAY = timedelta(days=1)
DUE = datetime(2026, 2, 10, 9, tzinfo=UTC)


def test_retries_come_one_three_and_seven_days_after_the_first_failure_then_none_is_left() -> None:
    retries = RetrySchedule()
    assert [dunning.next_attempt(DUE, n, retries) for n in (1, 2, 3, 4)] == [
        DUE + DAY,
        DUE + 3 * DAY,
        DUE + 7 * DAY,
        None,
    ]


def test_the_overdue_states_count_from_the_due_day_whatever_the_retries() -> None:
    overdue = OverdueStates()
    assert dunning.overdue_state(DUE, DUE + 13 * DAY, overdue) == "past_due"
    assert dunning.overdue_state(DUE, DUE + 14 * DAY, overdue) == "suspended"
    assert dunning.overdue_state(DUE, DUE + 21 * DAY, overdue) == "cancelled"


def test_a_market_cannot_cancel_before_it_suspends() -> None:
    with pytest.raises(ValueError, match="suspended before"):
        OverdueStates(suspend_after=21 * DAY, cancel_after=14 * DAY)


def test_a_period_lasts_a_calendar_month_even_from_the_thirty_first() -> None:
    assert FR.period_end(datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)
    assert FR.period_end(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 15, tzinfo=UTC)


def test_a_claim_inside_the_waiting_period_is_refused_naming_the_rule() -> None:
    refusal = claim_refusal(DUE, 0, DUE + 29 * DAY, FairUse())
    assert refusal is not None
    assert refusal.rule == "waiting_period"
    assert "2026-03-12" in refusal.reason
    assert claim_refusal(DUE, 0, DUE + 30 * DAY, FairUse()) is None


def test_a_claim_over_the_yearly_cap_of_a_device_is_refused_naming_the_rule() -> None:
    refusal = claim_refusal(DUE, 3, DUE + 90 * DAY, FairUse(claims_per_device_per_year=3))
    assert refusal is not None
    assert refusal.rule == "claims_per_device_per_year"
    assert claim_refusal(DUE, 2, DUE + 90 * DAY, FairUse(claims_per_device_per_year=3)) is None


def test_more_devices_than_the_market_allows_are_refused_naming_the_rule() -> None:
    check_devices(3, FairUse(devices_per_subscription=3))
    with pytest.raises(FairUseBroken) as refused:
        check_devices(4, FairUse(devices_per_subscription=3))
    assert refused.value.rule == "devices_per_subscription"
    assert refused.value.field == "devices"
