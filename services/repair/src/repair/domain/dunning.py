"""Dunning, as two clocks that never move each other: the retry schedule (when an overdue period's
charge is tried again, from its first failure) and the overdue states (what the customer keeps,
from the day the period was due). Pure functions of a market's plan and an instant."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from repair.domain.plans import OverdueStates, RetrySchedule

OverdueState = Literal["past_due", "suspended", "cancelled"]


def next_attempt(first_failed_at: datetime, failed_attempts: int, retries: RetrySchedule) -> datetime | None:
    """When the charge is tried again after `failed_attempts` failures (the first one included);
    None when no retry is left."""
    retry = failed_attempts - 1
    return first_failed_at + retries.after[retry] if retry < len(retries.after) else None


def overdue_state(overdue_since: datetime, at: datetime, overdue: OverdueStates) -> OverdueState:
    late = at - overdue_since
    if late >= overdue.cancel_after:
        return "cancelled"
    if late >= overdue.suspend_after:
        return "suspended"
    return "past_due"
