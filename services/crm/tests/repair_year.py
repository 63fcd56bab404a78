"""A generated year of repair subscriptions and tickets, and the plan figures computed from its events
here, without CRM's code (a plain module, no fixtures): the unit tests hold the domain's definitions
to it, the connected tests the SQL and the API."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from reloop_contracts import Event
from reloop_contracts import repair as r
from services.crm.tests.repair_events import (
    MONTH,
    cancelled,
    expired,
    opened,
    past_due,
    payment_failed,
    reactivated,
    renewed,
    started,
    suspended,
)
from services.crm.tests.support import new_id

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF = datetime(2026, 12, 15, 12, tzinfo=UTC)
"""Mid-month: the last month counts up to the report date only."""
DAY = timedelta(days=1)
SECONDS = 365 * 24 * 3600

SubscriptionEvent = (
    r.SubscriptionStarted
    | r.SubscriptionRenewed
    | r.PaymentFailed
    | r.SubscriptionPastDue
    | r.SubscriptionSuspended
    | r.SubscriptionReactivated
    | r.SubscriptionCancelled
    | r.SubscriptionExpired
)


@dataclass
class RepairYear:
    subscriptions: list[SubscriptionEvent] = field(default_factory=list)
    tickets: list[r.RepairTicketOpened] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return [*self.subscriptions, *self.tickets]


def _life(rnd: random.Random, sid: str, start: datetime) -> list[SubscriptionEvent]:
    """What repair publishes for one subscription: renewals until the customer cancels or dunning
    ends it; a failed payment is retried (renewed), paid by the customer, or suspends and cancels."""
    events: list[SubscriptionEvent] = []
    paid_through = start + MONTH
    while paid_through < YEAR + 400 * DAY:
        roll = rnd.random()
        if roll < 0.06:
            at = paid_through - timedelta(seconds=rnd.randrange(MONTH.days * 86400))
            return [*events, cancelled(sid, at, paid_through), expired(sid, paid_through)]
        if roll < 0.86:
            events.append(renewed(sid, paid_through))
            paid_through += MONTH
            continue
        due = paid_through
        events += [payment_failed(sid, due), past_due(sid, due)]
        fate = rnd.random()
        if fate < 0.35:
            events += [payment_failed(sid, due + DAY, 2), renewed(sid, due + 3 * DAY)]
            paid_through += MONTH
        elif fate < 0.55:
            events.append(reactivated(sid, due + 5 * DAY))
            paid_through += MONTH
        elif fate < 0.75:
            events += [suspended(sid, due + 14 * DAY, due), reactivated(sid, due + 17 * DAY)]
            paid_through = due + 17 * DAY + MONTH
        else:
            # Dunning cancels on day 21; the paid period ended long before, so it expires at once.
            end = due + 21 * DAY
            events += [suspended(sid, due + 14 * DAY, due), cancelled(sid, end, due, by="dunning"), expired(sid, end)]
            return events
    return events


def generate(seed: int = 15, subscriptions: int = 600, tickets: int = 900) -> RepairYear:
    rnd = random.Random(seed)
    year = RepairYear()
    for n in range(subscriptions):
        sid = new_id(f"sub{n}")
        market = rnd.choice(["FR", "FR", "ES"])
        start = YEAR + timedelta(seconds=rnd.randrange(SECONDS))
        year.subscriptions += [started(sid, new_id("acc"), start, market=market), *_life(rnd, sid, start)]
    # The edges: started on a month's first instant (not a member as it began); cancelled on a
    # month's first instant (a member as it began, and churned in it); steps of a subscription whose
    # start CRM never saw (counted nowhere).
    edge = new_id("sub-edge")
    year.subscriptions += [
        started(edge, new_id("acc"), datetime(2026, 3, 1, tzinfo=UTC)),
        cancelled(edge, datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 5, 31, tzinfo=UTC)),
        expired(edge, datetime(2026, 5, 31, tzinfo=UTC)),
    ]
    orphan = new_id("sub-unseen")
    year.subscriptions += [renewed(orphan, YEAR + 40 * DAY), cancelled(orphan, YEAR + 50 * DAY, YEAR + 70 * DAY)]
    coverages: list[r.Coverage] = ["plan", "plan", "plan", "warranty", "paid"]
    for n in range(tickets):
        at = YEAR + timedelta(seconds=rnd.randrange(SECONDS))
        coverage = rnd.choice(coverages)
        year.tickets.append(opened(new_id(f"t{n}"), None, at, coverage=coverage, market=rnd.choice(["FR", "ES"])))
    year.tickets.append(opened(new_id("t-at-report"), None, AS_OF, market="ES"))
    return year


# --- the figures, computed here ---------------------------------------------------------------

_ENTERS = {
    "SubscriptionStarted": "active",
    "SubscriptionRenewed": "active",
    "SubscriptionReactivated": "active",
    "SubscriptionPastDue": "past_due",
    "SubscriptionSuspended": "suspended",
    "SubscriptionCancelled": "cancelled",
    "SubscriptionExpired": "expired",
}
_LATER = ["active", "past_due", "suspended", "cancelled", "expired"]


def _at(event: Event) -> datetime:
    at: datetime = getattr(event, type(event).OCCURRED_AT)
    return at


def _months_between(first: datetime, last: datetime) -> list[datetime]:
    months = []
    at = datetime(first.year, first.month, 1, tzinfo=UTC)
    while at <= last:
        months.append(at)
        at = (at + 32 * DAY).replace(day=1)
    return months


def expected(year: RepairYear, as_of: datetime = AS_OF) -> dict[str, Any]:
    """Plan members at the report date, and per market and month members as it began, churned
    (ended: first cancelled or expired) and plan claims, as the README defines them."""
    market: dict[str, str] = {}
    changes: dict[str, list[tuple[datetime, int, str]]] = {}
    for e in year.subscriptions:
        if isinstance(e, r.SubscriptionStarted):
            market[e.subscription_id] = e.market
        status = _ENTERS.get(type(e).__name__)
        if status is not None:
            changes.setdefault(e.subscription_id, []).append((_at(e), _LATER.index(status), status))
    known = {sid: sorted(c) for sid, c in changes.items() if sid in market}

    def state(sid: str, at: datetime, before: bool) -> str | None:
        seen = [c for c in known[sid] if c[0] < at or (not before and c[0] == at)]
        return seen[-1][2] if seen else None

    now: dict[str, dict[str, int]] = {}
    for sid in known:
        s = state(sid, as_of, before=False)
        if s is not None:
            counts = now.setdefault(market[sid], {k: 0 for k in _LATER})
            counts[s] += 1
    members = [
        {
            "market": m,
            "members": c["active"] + c["past_due"] + c["suspended"],
            "active": c["active"],
            "past_due": c["past_due"],
            "suspended": c["suspended"],
        }
        for m, c in sorted(now.items())
    ]
    claims = [t for t in year.tickets if t.coverage == "plan" and t.opened_at <= as_of]
    firsts: dict[str, datetime] = {}
    for sid in known:
        if known[sid][0][0] <= as_of:
            firsts[market[sid]] = min(firsts.get(market[sid], known[sid][0][0]), known[sid][0][0])
    for t in claims:
        firsts[t.market] = min(firsts.get(t.market, t.opened_at), t.opened_at)
    ends = {
        sid: min(at for at, _, s in c if s in ("cancelled", "expired") and at <= as_of)
        for sid, c in known.items()
        if any(s in ("cancelled", "expired") and at <= as_of for at, _, s in c)
    }
    months = []
    for m in sorted(firsts):
        for start in _months_between(firsts[m], as_of):
            end = (start + 32 * DAY).replace(day=1)
            at_start = sum(
                1
                for sid in known
                if market[sid] == m and state(sid, start, before=True) in ("active", "past_due", "suspended")
            )
            churned = sum(1 for sid, e in ends.items() if market[sid] == m and start <= e < end)
            plan_claims = sum(1 for t in claims if t.market == m and start <= t.opened_at < end)
            months.append(
                {
                    "market": m,
                    "month": start.strftime("%Y-%m"),
                    "members_at_start": at_start,
                    "churned": churned,
                    "churn": churned / at_start if at_start else None,
                    "plan_claims": plan_claims,
                    "claims_per_member": plan_claims / at_start if at_start else None,
                }
            )
    return {"as_of": as_of.isoformat(), "members": members, "months": months}
