"""The workshop's service levels from a ticket's history: each step's clock, stopped while the
ticket waits on its customer, against the market's targets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from repair.config import RepairSettings
from repair.domain.events import Status
from repair.domain.sla import DEFAULT_TARGETS, SlaPolicy, running_late, step_clocks
from repair.domain.tickets import Transition

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
TARGETS = SlaPolicy().targets_of("FR")


def history(*moves: tuple[timedelta, Status]) -> list[Transition]:
    """Transitions at T0 plus each offset, each from the status before it."""
    made: list[Transition] = []
    for offset, status in moves:
        made.append(Transition(made[-1].to_status if made else None, status, "tech", T0 + offset))
    return made


def test_a_ticket_not_diagnosed_within_two_days_is_late_on_that_step_by_the_excess() -> None:
    late = running_late(history((timedelta(0), "received")), TARGETS, T0 + 3 * DAY)
    assert late is not None
    assert (late.step, late.elapsed, late.overdue_by, late.waiting_on_customer) == (
        "received->diagnosed",
        3 * DAY,
        DAY,
        False,
    )


def test_a_ticket_within_its_target_is_not_late() -> None:
    assert running_late(history((timedelta(0), "received")), TARGETS, T0 + 2 * DAY) is None


def test_the_clock_stops_while_the_customer_has_a_quote_to_answer() -> None:
    moves = history(
        (timedelta(0), "received"),
        (DAY, "diagnosed"),
        (DAY, "quoted"),
        (11 * DAY, "waiting_for_parts"),  # ten days to answer: the customer's, not the workshop's
        (12 * DAY, "in_repair"),
    )
    [diagnosing, repairing] = step_clocks(moves, TARGETS, T0 + 13 * DAY)
    assert (diagnosing.step, diagnosing.ended_at, diagnosing.elapsed) == ("received->diagnosed", T0 + DAY, DAY)
    assert (repairing.step, repairing.running, repairing.elapsed) == ("diagnosed->repaired", True, 2 * DAY)
    assert running_late(moves, TARGETS, T0 + 13 * DAY) is None
    assert running_late(moves, TARGETS, T0 + 14 * DAY + HOUR) is not None


def test_a_ticket_waiting_on_its_customer_does_not_grow_later() -> None:
    moves = history((timedelta(0), "received"), (DAY, "diagnosed"), (DAY + HOUR, "quoted"))
    now_clock = step_clocks(moves, TARGETS, T0 + 2 * DAY)[-1]
    later_clock = step_clocks(moves, TARGETS, T0 + 20 * DAY)[-1]
    assert now_clock.elapsed == later_clock.elapsed == HOUR
    assert later_clock.waiting_on_customer


def test_a_step_already_late_stays_late_while_the_customer_is_asked() -> None:
    moves = history((timedelta(0), "received"), (DAY, "diagnosed"), (5 * DAY, "quoted"))
    late = running_late(moves, TARGETS, T0 + 9 * DAY)
    assert late is not None
    assert (late.step, late.overdue_by, late.waiting_on_customer) == ("diagnosed->repaired", DAY, True)


def test_the_pickup_wait_ends_the_workshops_last_step() -> None:
    moves = history(
        (timedelta(0), "received"),
        (HOUR, "diagnosed"),
        (2 * HOUR, "in_repair"),
        (3 * HOUR, "repaired"),
        (4 * HOUR, "quality_checked"),
        (5 * HOUR, "ready_for_pickup"),
    )
    clocks = step_clocks(moves, TARGETS, T0 + 60 * DAY)
    assert [(c.step, c.elapsed, c.running) for c in clocks] == [
        ("received->diagnosed", HOUR, False),
        ("diagnosed->repaired", 2 * HOUR, False),
        ("repaired->quality_checked", HOUR, False),
        ("quality_checked->sent_back", HOUR, False),
    ]
    assert running_late(moves, TARGETS, T0 + 60 * DAY) is None


def test_a_failed_quality_check_keeps_the_step_running_from_the_first_repair() -> None:
    moves = history(
        (timedelta(0), "received"),
        (HOUR, "diagnosed"),
        (2 * HOUR, "in_repair"),
        (3 * HOUR, "repaired"),
        (4 * HOUR, "in_repair"),  # failed its quality check
        (DAY, "repaired"),
    )
    late = running_late(moves, TARGETS, T0 + 3 * HOUR + 2 * DAY)
    assert late is not None
    assert (late.step, late.started_at, late.overdue_by) == ("repaired->quality_checked", T0 + 3 * HOUR, DAY)


def test_a_device_returned_unrepaired_ends_the_repair_step() -> None:
    moves = history(
        (timedelta(0), "received"), (HOUR, "diagnosed"), (HOUR, "quoted"), (20 * DAY, "returned_unrepaired")
    )
    assert [c.running for c in step_clocks(moves, TARGETS, T0 + 40 * DAY)] == [False, False]
    assert running_late(moves, TARGETS, T0 + 40 * DAY) is None


def test_a_market_sets_its_own_target_per_step_and_keeps_the_default_for_the_others() -> None:
    policy = SlaPolicy({"DE": {"received->diagnosed": 4 * HOUR}})
    assert policy.targets_of("DE") == {**DEFAULT_TARGETS, "received->diagnosed": 4 * HOUR}
    assert policy.targets_of("FR") == DEFAULT_TARGETS
    assert policy.shortest == 4 * HOUR
    late = running_late(history((timedelta(0), "received")), policy.targets_of("DE"), T0 + 5 * HOUR)
    assert late is not None
    assert late.overdue_by == HOUR


def test_an_unknown_step_or_a_target_not_positive_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match="no step 'received->closed'"):
        SlaPolicy({"FR": {"received->closed": DAY}})
    with pytest.raises(ValueError, match="diagnosed->repaired is not positive"):
        SlaPolicy({"FR": {"diagnosed->repaired": timedelta(0)}})


def test_the_settings_give_each_market_its_targets_in_hours_and_refuse_an_unknown_step_at_start() -> None:
    settings = RepairSettings(sla_hours={"DE": {"received->diagnosed": 24}})
    assert settings.sla_policy().targets_of("DE")["received->diagnosed"] == DAY
    assert settings.sla_policy().targets_of("FR") == DEFAULT_TARGETS
    with pytest.raises(ValidationError, match="no step 'diagnosed->closed'"):
        RepairSettings(sla_hours={"DE": {"diagnosed->closed": 24}})
