"""The repair plan's figures per market, defined over plain records (definitions in the README).

These are the definitions; `adapters/repair_queries.py` computes the same figures in SQL over the
read model, and the tests hold the two equal. Every figure is as of a report date: what happened
after it does not count. Months are calendar months in UTC, from a market's first subscription or
plan claim to the report date's month (which counts up to the report date only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

STATUSES = ("active", "past_due", "suspended", "cancelled", "expired")
"""A subscription's states, in the order they follow one another: two changes at one instant (a
cancellation that expires at once) are read in this order, the later state winning."""

MEMBER_STATUSES = frozenset({"active", "past_due", "suspended"})
"""A plan member: a subscription not yet cancelled (in grace or suspended still counts: it may pay)."""

ENDING_STATUSES = frozenset({"cancelled", "expired"})

PLAN = "plan"
"""The coverage of a ticket the plan pays for: a claim."""


@dataclass(frozen=True)
class StartedSubscription:
    subscription_id: str
    market: str
    started_at: datetime


@dataclass(frozen=True)
class StatusChange:
    subscription_id: str
    status: str
    at: datetime


@dataclass(frozen=True)
class OpenedTicket:
    ticket_id: str
    market: str
    coverage: str
    opened_at: datetime


@dataclass(frozen=True)
class PlanMembers:
    """A market's subscriptions by state at the report date; members are the first three."""

    market: str
    active: int
    past_due: int
    suspended: int

    @property
    def members(self) -> int:
        return self.active + self.past_due + self.suspended


@dataclass(frozen=True)
class PlanMonth:
    """One market's month: members as it began, subscriptions that ended in it (churned), and
    claims on the plan (tickets it covered) opened in it."""

    market: str
    month: str
    members_at_start: int
    churned: int
    plan_claims: int

    @property
    def churn(self) -> float | None:
        return self.churned / self.members_at_start if self.members_at_start else None

    @property
    def claims_per_member(self) -> float | None:
        return self.plan_claims / self.members_at_start if self.members_at_start else None


def _order(change: StatusChange) -> tuple[datetime, int]:
    return change.at, STATUSES.index(change.status)


def status_at(changes: Iterable[StatusChange], at: datetime, *, before: bool = False) -> str | None:
    """The state of one subscription at `at` (its latest change then), or just before it."""
    seen = [c for c in changes if (c.at < at if before else c.at <= at)]
    return max(seen, key=_order).status if seen else None


def _changes_per_subscription(
    starts: Sequence[StartedSubscription], changes: Iterable[StatusChange]
) -> dict[str, list[StatusChange]]:
    """The changes of subscriptions whose start CRM has seen: the others have no market."""
    per: dict[str, list[StatusChange]] = {s.subscription_id: [] for s in starts}
    for change in changes:
        if change.subscription_id in per:
            per[change.subscription_id].append(change)
    return per


def plan_members(
    starts: Sequence[StartedSubscription], changes: Iterable[StatusChange], as_of: datetime
) -> list[PlanMembers]:
    """Per market with a subscription known by the report date, its subscriptions by state then."""
    market = {s.subscription_id: s.market for s in starts}
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for subscription_id, its_changes in _changes_per_subscription(starts, changes).items():
        status = status_at(its_changes, as_of)
        if status is not None:
            counts[market[subscription_id]][status] += 1
    return [PlanMembers(m, c["active"], c["past_due"], c["suspended"]) for m, c in sorted(counts.items())]


def month_of(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


def _month_start(month: str) -> datetime:
    year, number = (int(part) for part in month.split("-"))
    return datetime(year, number, 1, tzinfo=UTC)


def _months(first: str, last: str) -> list[str]:
    months, at = [], _month_start(first)
    while month_of(at) <= last:
        months.append(month_of(at))
        at = datetime(at.year + at.month // 12, at.month % 12 + 1, 1, tzinfo=UTC)
    return months


def plan_months(
    starts: Sequence[StartedSubscription],
    changes: Iterable[StatusChange],
    tickets: Iterable[OpenedTicket],
    as_of: datetime,
) -> list[PlanMonth]:
    """Per market and month: members at its start, churned (a subscription's end is its first
    cancellation or expiry) and plan claims in it, up to the report date."""
    market = {s.subscription_id: s.market for s in starts}
    per_subscription = _changes_per_subscription(starts, changes)
    first: dict[str, datetime] = {}
    for s in starts:
        if s.started_at <= as_of:
            first[s.market] = min(first.get(s.market, s.started_at), s.started_at)
    claims: dict[tuple[str, str], int] = defaultdict(int)
    for t in tickets:
        if t.coverage == PLAN and t.opened_at <= as_of:
            claims[(t.market, month_of(t.opened_at))] += 1
            first[t.market] = min(first.get(t.market, t.opened_at), t.opened_at)
    churned: dict[tuple[str, str], int] = defaultdict(int)
    for subscription_id, its_changes in per_subscription.items():
        ends = [c.at for c in its_changes if c.status in ENDING_STATUSES and c.at <= as_of]
        if ends:
            churned[(market[subscription_id], month_of(min(ends)))] += 1
    found = []
    for m in sorted(first):
        for month in _months(month_of(first[m]), month_of(as_of)):
            start = _month_start(month)
            members = sum(
                1
                for subscription_id, its_changes in per_subscription.items()
                if market[subscription_id] == m and status_at(its_changes, start, before=True) in MEMBER_STATUSES
            )
            found.append(PlanMonth(m, month, members, churned[(m, month)], claims[(m, month)]))
    return found
