"""What the business sells in each market: the price of a period, how failed payments are retried,
when overdue becomes suspended and then cancelled, and the fair use of the plan.

The retry schedule and the overdue states are apart on purpose (as Google Play and Kill Bill keep
them): retries say when the card is tried again, the overdue states what the customer keeps
meanwhile, and changing one never moves the other.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from reloop_contracts.amounts import Money
from repair.domain.subscription_errors import MarketNotServed


@dataclass(frozen=True)
class RetrySchedule:
    after: tuple[timedelta, ...] = (timedelta(days=1), timedelta(days=3), timedelta(days=7))
    """When the charge of an overdue period is tried again, counted from its first failure."""


@dataclass(frozen=True)
class OverdueStates:
    """Counted from the day the unpaid period was due; past due (covered, in grace) from the first
    failed charge until `suspend_after`, suspended (not covered) until `cancel_after`, then cancelled."""

    suspend_after: timedelta = timedelta(days=14)
    cancel_after: timedelta = timedelta(days=21)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.suspend_after < self.cancel_after:
            raise ValueError("a subscription is suspended before it is cancelled for not paying")


@dataclass(frozen=True)
class FairUse:
    waiting_period: timedelta = timedelta(days=30)
    """From the start of the subscription to the first claim it covers."""
    claims_per_device_per_year: int = 3
    devices_per_subscription: int = 3


@dataclass(frozen=True)
class MarketPlan:
    market: str
    price: Money
    retries: RetrySchedule = field(default_factory=RetrySchedule)
    overdue: OverdueStates = field(default_factory=OverdueStates)
    fair_use: FairUse = field(default_factory=FairUse)

    def period_end(self, start: datetime) -> datetime:
        """A period lasts a calendar month: the 31st of January runs to the end of February."""
        month = start.month % 12 + 1
        year = start.year + (1 if month == 1 else 0)
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Plans:
    markets: Mapping[str, MarketPlan]
    retries: RetrySchedule = field(default_factory=RetrySchedule)
    """The terms of a market no longer sold: its subscriptions are still retried, moved through
    the overdue states and ended on these (the business's defaults), at the price they pay."""
    overdue: OverdueStates = field(default_factory=OverdueStates)
    fair_use: FairUse = field(default_factory=FairUse)

    def keeping(self, market: str, price: Money) -> MarketPlan:
        """The market's plan today, or, for a market no longer configured, the default terms at
        `price`, so its subscriptions still renew and end as they should."""
        return self.markets.get(market) or MarketPlan(market, price, self.retries, self.overdue, self.fair_use)

    def in_market(self, market: str) -> MarketPlan:
        plan = self.markets.get(market)
        if plan is None:
            raise MarketNotServed(f"no repair plan is sold in {market}", field="market")
        return plan


T = TypeVar("T")
EVERY_OTHER_MARKET = "default"
"""The key of a per-market setting that stands for every market it does not name."""


def for_market(values: Mapping[str, T], market: str) -> T:
    """A per-market setting's value in `market`: its own, else the `default` entry's."""
    return values[market] if market in values else values[EVERY_OTHER_MARKET]


DEFAULT_PLANS = Plans({"FR": MarketPlan("FR", Money(699, "EUR"))})
"""France at 6.99 EUR a month with the default retries, overdue states and fair use."""
