"""The repair counts see what they count, and the model takes each ticket where the day says: a
zero in the summary means the repairs kept their promises, not that the check was blind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from reloop_contracts import repair as contract
from tests.faults.checker import Seen
from tests.faults.day import Repair
from tests.faults.model import repair_outcome
from tests.faults.repair_checks import charged_not_once_per_period, events_not_once, ticket_wrong

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _repair(*, subscribes: bool, accepts: bool = True, parts: int = 0, fails: bool = False) -> Repair:
    return Repair(0, "c-1", "shop-1", subscribes, 9900, accepts, parts, fails)


def _completed(ticket_id: str) -> Seen:
    event = contract.RepairCompleted.model_validate(
        {
            "ticket_id": ticket_id,
            "coverage": "plan",
            "charged": {"amount_minor": 0, "currency": "EUR"},
            "completed_at": NOW,
        }
    )
    return Seen(0, 0, ticket_id, str(uuid.uuid4()), event, {})


def _charge(period: str, minor: int = 699, kind: str = "paid") -> dict[str, Any]:
    return {"kind": kind, "period_start": period, "amount": {"amount_minor": minor, "currency": "EUR"}}


def test_a_covered_repair_needing_parts_waits_for_them_and_a_failed_check_repairs_it_twice() -> None:
    outcome = repair_outcome(_repair(subscribes=True, parts=1, fails=True))
    assert (outcome.coverage, outcome.charged) == ("plan", 0)
    assert outcome.path == (
        "received",
        "diagnosed",
        "waiting_for_parts",
        "in_repair",
        "repaired",
        "in_repair",
        "repaired",
        "quality_checked",
        "ready_for_pickup",
        "closed",
    )


def test_a_paid_repair_is_quoted_and_an_accepted_quote_without_parts_goes_back_to_diagnosed() -> None:
    outcome = repair_outcome(_repair(subscribes=False))
    assert (outcome.coverage, outcome.charged) == ("paid", 9900)
    assert outcome.path[:5] == ("received", "diagnosed", "quoted", "diagnosed", "in_repair")


def test_a_declined_quote_goes_back_unrepaired_and_is_charged_nothing() -> None:
    outcome = repair_outcome(_repair(subscribes=False, accepts=False))
    assert outcome.path[-2:] == ("returned_unrepaired", "closed")
    assert outcome.charged == 0


def test_a_repair_completed_twice_or_never_is_counted() -> None:
    events = [_completed("t-1"), _completed("t-2"), _completed("t-2")]
    want = {"t-1": 1, "t-2": 1, "t-3": 1, "t-declined": 0}
    assert events_not_once(events, contract.RepairCompleted, set(want), "ticket_id", want) == 2


def test_a_period_charged_twice_or_not_at_all_is_counted_and_a_declined_attempt_is_not_a_charge() -> None:
    plan = (699, 699)
    assert not charged_not_once_per_period([_charge("p1"), _charge("p2"), _charge("p2", kind="declined")], plan)
    assert charged_not_once_per_period([_charge("p1"), _charge("p2"), _charge("p2")], plan)
    assert charged_not_once_per_period([_charge("p1")], plan)


def test_a_ticket_left_open_or_charged_though_covered_is_wrong() -> None:
    covered = repair_outcome(_repair(subscribes=True))
    closed = {"status": "closed", "coverage": "plan", "charged": {"amount_minor": 0, "currency": "EUR"}}
    assert not ticket_wrong(closed, covered)
    assert ticket_wrong(closed | {"status": "ready_for_pickup"}, covered)
    assert ticket_wrong(closed | {"charged": {"amount_minor": 9900, "currency": "EUR"}}, covered)
