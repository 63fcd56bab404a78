"""The ticket's state machine: each step from its state only, history kept, events recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from repair.domain import events
from repair.domain.coverage import CoverageDecision
from repair.domain.errors import InvalidDiagnosis, InvalidTransition
from repair.domain.events import PartNeed
from repair.domain.tickets import Diagnosis, Intake, Ticket
from repair.domain.workshop_policy import WorkshopPolicy
from services.repair.tests.builders import phone

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = WorkshopPolicy()
SCREEN = (PartNeed("SCREEN-IP13", 1),)
COVERED = CoverageDecision("plan", "covered by subscription S-1", "S-1")
PAID = CoverageDecision("paid", "no plan and not sold by reloop", None)


def _ticket(decision: CoverageDecision = COVERED, shop_id: str | None = "SHOP-1") -> Ticket:
    intake = Intake(
        "T-1",
        "FR",
        "own_shop" if shop_id else "online",
        shop_id,
        None,
        "acct-1",
        phone(),
        None,
        "cracked screen",
        (),
        None,
        "CENTRE-1",
        "hash",
    )
    return Ticket.open(intake, decision, bought_from_us=False, by="shop:SHOP-1", at=AT)


def _diagnosis(estimate: int = 12000, *, repairable: bool = True, resale: int | None = None) -> Diagnosis:
    return Diagnosis(
        ("screen cracked",),
        SCREEN if repairable else (),
        Money(estimate, "EUR"),
        repairable,
        Money(resale, "EUR") if resale is not None else None,
    )


def _recorded(ticket: Ticket) -> list[type]:
    return [type(e) for e in ticket.recorder.events]


def test_a_ticket_opens_received_with_its_coverage_and_reason() -> None:
    ticket = _ticket()
    assert (ticket.status, ticket.coverage, ticket.subscription_id) == ("received", "plan", "S-1")
    assert ticket.history[0].to_status == "received"
    assert _recorded(ticket) == [events.TicketOpened]


def test_marking_a_ticket_repaired_before_it_was_diagnosed_is_refused_naming_its_state() -> None:
    ticket = _ticket()
    with pytest.raises(InvalidTransition, match="received") as refused:
        ticket.mark_repaired(by="tech-1", at=AT)
    assert refused.value.field == "status"


def test_a_covered_diagnosis_needing_parts_waits_for_them_and_a_repair_cannot_start_without_them() -> None:
    ticket = _ticket()
    ticket.diagnose(_diagnosis(), POLICY, by="tech-1", at=AT)
    assert ticket.status == "waiting_for_parts"
    with pytest.raises(InvalidTransition, match="not reserved"):
        ticket.start_repair(by="tech-1", at=AT)


def test_a_paid_repair_is_quoted_its_estimate_with_a_deadline_to_answer() -> None:
    ticket = _ticket(PAID)
    ticket.diagnose(_diagnosis(9900), POLICY, by="tech-1", at=AT)
    assert (ticket.status, ticket.quote, ticket.answer_by) == ("quoted", Money(9900, "EUR"), AT + timedelta(days=14))
    assert events.RepairQuoted in _recorded(ticket)


def test_a_declined_quote_returns_the_device_unrepaired_and_lets_its_parts_go() -> None:
    ticket = _ticket(PAID)
    ticket.diagnose(_diagnosis(9900), POLICY, by="tech-1", at=AT)
    ticket.parts_held()
    ticket.answer_quote(False, by="customer:acct-1", at=AT)
    assert ticket.status == "returned_unrepaired"
    assert ticket.holds_parts_to_release


def test_an_unrepairable_device_goes_back_and_needs_no_parts() -> None:
    ticket = _ticket()
    ticket.diagnose(_diagnosis(0, repairable=False), POLICY, by="tech-1", at=AT)
    assert ticket.status == "returned_unrepaired"
    with pytest.raises(InvalidDiagnosis):
        _ticket().diagnose(Diagnosis(("dead board",), SCREEN, Money(0, "EUR"), False, None), POLICY, by="t", at=AT)


def test_a_repair_costing_more_than_the_markets_share_of_the_resale_value_suggests_a_trade_in() -> None:
    ticket = _ticket(PAID)
    ticket.diagnose(_diagnosis(15000, resale=20000), POLICY, by="tech-1", at=AT)  # 75% > 70%
    suggested = [e for e in ticket.recorder.events if isinstance(e, events.TradeInSuggested)]
    assert [(e.repair_estimate, e.resale_value) for e in suggested] == [(Money(15000, "EUR"), Money(20000, "EUR"))]
    assert ticket.beyond_economic_repair


def test_a_repair_within_the_share_suggests_nothing() -> None:
    ticket = _ticket(PAID)
    ticket.diagnose(_diagnosis(13000, resale=20000), POLICY, by="tech-1", at=AT)  # 65%
    assert events.TradeInSuggested not in _recorded(ticket)


def test_a_covered_repair_goes_through_the_workshop_to_pickup_at_its_shop_at_no_charge() -> None:
    ticket = _ticket()
    ticket.diagnose(_diagnosis(), POLICY, by="tech-1", at=AT)
    ticket.parts_held()
    ticket.start_repair(by="tech-1", at=AT)
    assert ticket.mark_repaired(by="tech-1", at=AT) == SCREEN
    ticket.quality_check(False, by="qc-1", at=AT, note="touch dead zone")
    assert ticket.status == "in_repair"
    ticket.mark_repaired(by="tech-1", at=AT)
    ticket.quality_check(True, by="qc-1", at=AT)
    completed = [e for e in ticket.recorder.events if isinstance(e, events.RepairCompleted)]
    assert [(e.coverage, e.charged) for e in completed] == [("plan", Money(0, "EUR"))]
    ticket.send_back(by="tech-1", at=AT)
    assert ticket.history[-1].to_status == "ready_for_pickup"
    ticket.hand_back(by="shop:SHOP-1", at=AT)
    returned = [e for e in ticket.recorder.events if isinstance(e, events.DeviceHandedBack)]
    assert [(e.repaired, e.how, e.shop_id) for e in returned] == [(True, "picked_up", "SHOP-1")]
    assert [h.to_status for h in ticket.history] == [
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
    ]


def test_a_mailed_device_is_shipped_back_and_a_paid_repair_charges_its_quote() -> None:
    ticket = _ticket(PAID, shop_id=None)
    ticket.diagnose(Diagnosis(("battery worn",), (), Money(4900, "EUR"), True, None), POLICY, by="t", at=AT)
    ticket.answer_quote(True, by="customer:acct-1", at=AT)
    ticket.start_repair(by="t", at=AT)
    ticket.mark_repaired(by="t", at=AT)
    ticket.quality_check(True, by="qc", at=AT)
    ticket.send_back(by="t", at=AT)
    assert (ticket.status, ticket.charged) == ("shipped_back", Money(4900, "EUR"))
