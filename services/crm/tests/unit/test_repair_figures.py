"""The repair plan figures as the README defines them: on hand-made subscriptions and tickets, and
over a generated year against a computation written without CRM's code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from crm.domain.repair_figures import (
    OpenedTicket,
    PlanMembers,
    PlanMonth,
    StartedSubscription,
    StatusChange,
    plan_members,
    plan_months,
    status_at,
)
from reloop_contracts import repair as r
from services.crm.tests.repair_year import AS_OF, RepairYear, expected, generate

MAY = datetime(2026, 5, 1, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def start(sid: str, at: datetime, market: str = "FR") -> tuple[StartedSubscription, StatusChange]:
    return StartedSubscription(sid, market, at), StatusChange(sid, "active", at)


def test_past_due_and_suspended_subscriptions_are_members_and_cancelled_or_expired_ones_are_not() -> None:
    starts, changes = zip(*(start(s, MAY) for s in ("a", "p", "s", "c", "e")), strict=True)
    later = [
        StatusChange("p", "past_due", MAY + DAY),
        StatusChange("s", "suspended", MAY + DAY),
        StatusChange("c", "cancelled", MAY + DAY),
        StatusChange("e", "cancelled", MAY + DAY),
        StatusChange("e", "expired", MAY + 2 * DAY),
    ]

    found = plan_members(starts, [*changes, *later], JUNE)

    assert found == [PlanMembers("FR", active=1, past_due=1, suspended=1)]
    assert found[0].members == 3


def test_a_state_entered_after_the_report_date_does_not_count_and_a_reactivation_makes_a_member_again() -> None:
    (s, c) = start("a", MAY)
    changes = [c, StatusChange("a", "suspended", MAY + DAY), StatusChange("a", "active", MAY + 3 * DAY)]

    assert [status_at(changes, MAY + n * DAY) for n in range(4)] == ["active", "suspended", "suspended", "active"]
    assert plan_members([s], changes, MAY + 2 * DAY) == [PlanMembers("FR", 0, 0, 1)]
    assert plan_members([s], changes, MAY - DAY) == []


def test_two_states_entered_at_one_instant_read_in_order_so_a_cancellation_that_expires_at_once_is_expired() -> None:
    at = MAY + DAY
    changes = [StatusChange("a", "expired", at), StatusChange("a", "cancelled", at), StatusChange("a", "active", MAY)]

    assert status_at(changes, at) == "expired"
    assert status_at(changes, at, before=True) == "active"


def test_steps_of_a_subscription_whose_start_crm_never_saw_count_nowhere() -> None:
    found = plan_members([], [StatusChange("unseen", "active", MAY)], JUNE)

    assert found == []
    assert plan_months([], [StatusChange("unseen", "cancelled", MAY)], [], JUNE) == []


def test_churn_is_subscriptions_ended_in_the_month_over_members_as_it_began() -> None:
    starts, changes = zip(*(start(f"s{n}", MAY - 10 * DAY) for n in range(4)), strict=True)
    # Cancelled on the month's first instant: a member as it began, and churned in it.
    ended = [
        StatusChange("s0", "cancelled", MAY),
        StatusChange("s0", "expired", MAY + 20 * DAY),
        StatusChange("s1", "cancelled", MAY + 5 * DAY),
        StatusChange("s1", "expired", JUNE + 3 * DAY),  # its end is the cancellation, in May
    ]
    late_starter = start("late", MAY)  # started on the first instant: not a member as May began

    months = plan_months([*starts, late_starter[0]], [*changes, *ended, late_starter[1]], [], JUNE + 10 * DAY)

    assert months == [
        PlanMonth("FR", "2026-04", members_at_start=0, churned=0, plan_claims=0),
        PlanMonth("FR", "2026-05", members_at_start=4, churned=2, plan_claims=0),
        PlanMonth("FR", "2026-06", members_at_start=3, churned=0, plan_claims=0),
    ]
    assert months[1].churn == 0.5
    assert months[0].churn is None


def test_claims_per_member_counts_only_plan_covered_tickets_opened_in_the_month_up_to_the_report_date() -> None:
    starts, changes = zip(*(start(f"s{n}", MAY - 10 * DAY, "ES") for n in range(4)), strict=True)
    tickets = [
        OpenedTicket("t1", "ES", "plan", MAY + DAY),
        OpenedTicket("t2", "ES", "plan", MAY + 2 * DAY),
        OpenedTicket("t3", "ES", "warranty", MAY + 2 * DAY),
        OpenedTicket("t4", "ES", "paid", MAY + 2 * DAY),
        OpenedTicket("t5", "ES", "plan", MAY + 12 * DAY),  # after the report date
    ]

    months = plan_months(starts, changes, tickets, MAY + 10 * DAY)

    assert months[-1] == PlanMonth("ES", "2026-05", 4, 0, 2)
    assert months[-1].claims_per_member == 0.5


def by_definition(year: RepairYear) -> dict[str, Any]:
    """The figures from the domain's definitions, shaped as the report."""
    starts = [
        StartedSubscription(e.subscription_id, e.market, e.started_at)
        for e in year.subscriptions
        if isinstance(e, r.SubscriptionStarted)
    ]
    enters = {
        r.SubscriptionStarted: ("active", "started_at"),
        r.SubscriptionRenewed: ("active", "renewed_at"),
        r.SubscriptionReactivated: ("active", "at"),
        r.SubscriptionPastDue: ("past_due", "at"),
        r.SubscriptionSuspended: ("suspended", "at"),
        r.SubscriptionCancelled: ("cancelled", "cancelled_at"),
        r.SubscriptionExpired: ("expired", "expired_at"),
    }
    changes = [
        StatusChange(e.subscription_id, enters[type(e)][0], getattr(e, enters[type(e)][1]))
        for e in year.subscriptions
        if type(e) in enters
    ]
    tickets = [OpenedTicket(t.ticket_id, t.market, t.coverage, t.opened_at) for t in year.tickets]
    members = plan_members(starts, changes, AS_OF)
    months = plan_months(starts, changes, tickets, AS_OF)
    return {
        "as_of": AS_OF.isoformat(),
        "members": [
            {
                "market": m.market,
                "members": m.members,
                "active": m.active,
                "past_due": m.past_due,
                "suspended": m.suspended,
            }
            for m in members
        ],
        "months": [
            {
                "market": m.market,
                "month": m.month,
                "members_at_start": m.members_at_start,
                "churned": m.churned,
                "churn": m.churn,
                "plan_claims": m.plan_claims,
                "claims_per_member": m.claims_per_member,
            }
            for m in months
        ],
    }


def test_the_generated_year_exercises_every_state_and_both_markets() -> None:
    year = generate()
    wanted = expected(year)

    kinds = {type(e).__name__ for e in year.subscriptions}
    assert kinds == {e.__name__ for e in r.SUBSCRIPTIONS.events}
    assert {m["market"] for m in wanted["members"]} == {"ES", "FR"}
    assert all(m["active"] and m["past_due"] + m["suspended"] for m in wanted["members"])
    months = wanted["months"]
    assert [m["month"] for m in months if m["market"] == "FR"][-1] == "2026-12"
    assert sum(m["churned"] for m in months) > 50
    assert all(0 < m["claims_per_member"] < 1 for m in months if m["members_at_start"] > 50)
    assert any(e.subscription_id.startswith("sub-unseen") for e in year.subscriptions)


def test_the_domains_definitions_agree_with_an_independent_computation_over_a_generated_year() -> None:
    year = generate()

    assert by_definition(year) == expected(year)
