"""Who pays: reloop's warranty on a unit it sold, the plan, or the customer, with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from repair.domain.coverage import PlanAnswer, SoldDevice, decide_coverage
from repair.domain.workshop_policy import WorkshopPolicy

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = WorkshopPolicy(warranty_months={"FR": 12})
NO_PLAN = PlanAnswer(None, None)


def _sold(days_ago: int) -> SoldDevice:
    return SoldDevice("U-1", "IP13-128-BLK-VG", "SALE-1", "FR", AT - timedelta(days=days_ago))


def test_a_device_reloop_sold_within_the_markets_warranty_is_covered_without_a_plan() -> None:
    decision = decide_coverage(NO_PLAN, _sold(100), policy=POLICY, at=AT)
    assert (decision.coverage, decision.subscription_id) == ("warranty", None)
    assert "SALE-1" in decision.reason


def test_the_warranty_comes_first_so_a_repair_under_it_uses_no_claim_of_the_plan() -> None:
    decision = decide_coverage(PlanAnswer("S-1", None), _sold(10), policy=POLICY, at=AT)
    assert decision.coverage == "warranty"


def test_after_the_warranty_the_plan_covers() -> None:
    decision = decide_coverage(PlanAnswer("S-1", None), _sold(400), policy=POLICY, at=AT)
    assert (decision.coverage, decision.subscription_id) == ("plan", "S-1")


def test_a_device_with_neither_is_paid_and_says_why() -> None:
    decision = decide_coverage(NO_PLAN, None, policy=POLICY, at=AT)
    assert (decision.coverage, decision.reason) == ("paid", "no plan and not sold by reloop")


def test_a_refusal_of_the_plan_is_the_reason_of_a_paid_repair() -> None:
    refusal = "waiting_period: no claim before 2026-03-20"
    decision = decide_coverage(PlanAnswer(None, refusal), _sold(400), policy=POLICY, at=AT)
    assert decision.coverage == "paid"
    assert refusal in decision.reason
    assert "warranty ended" in decision.reason
