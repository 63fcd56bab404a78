"""The plan seen from the workshop, on the service's whole twin: a parcel's ticket is covered, or
paid with the rule that refused it, as the subscription moves through dunning and fair use."""

from __future__ import annotations

from datetime import timedelta

from reloop_localstack.testing import customer_headers, staff_headers
from reloop_shared.clock import FixedClock
from repair.service_layer.renewals import run_renewals
from services.repair.tests.fakes import RepairTwin
from services.repair.tests.subscription_builders import PLANS, START, imei

DAY = timedelta(days=1)
ADA = customer_headers("acct-42")
STAFF = staff_headers("repair:subscriptions")


def device(n: int) -> dict[str, object]:
    identifier = {"kind": "imei", "value": imei(35_200_000_000_000 + n)}
    return {"identifier": identifier, "category": "smartphone", "model": "pixel-7"}


async def parcel(twin: RepairTwin, n: int) -> dict[str, object]:
    body = {"market": "FR", "device": device(n), "symptoms": "the screen is cracked"}
    async with twin.client(ADA) as client:
        opened = await client.post("/tickets", json=body)
    assert opened.status_code == 201, opened.text
    ticket: dict[str, object] = opened.json()["ticket"]
    return ticket


async def test_a_claim_is_covered_in_grace_refused_suspended_with_the_reason_and_covered_again_once_paid() -> None:
    twin = RepairTwin(FixedClock(START), plans=PLANS)
    async with twin.client(ADA) as client:
        made = await client.post("/subscriptions", json={"market": "FR", "devices": [device(1)]})
    assert made.status_code == 201, made.text
    sid, due = made.json()["subscription_id"], START + 31 * DAY
    async with twin.client(STAFF) as client:
        scripted = await client.put(f"/subscriptions/{sid}/scripted-declines", json={"count": 9, "reason": "expired"})
    assert scripted.status_code == 204

    twin.clock.set(due)
    await run_renewals(twin.unit_of_work, twin.clock, PLANS)
    in_grace = await parcel(twin, 1)
    assert (in_grace["coverage"], in_grace["subscription_id"]) == ("plan", sid)

    for day in (1, 3, 7, 14):
        twin.clock.set(due + day * DAY)
        await run_renewals(twin.unit_of_work, twin.clock, PLANS)
    suspended = await parcel(twin, 1)
    assert suspended["coverage"] == "paid"
    assert str(suspended["coverage_reason"]).startswith("suspended: coverage suspended: payment overdue since")

    async with twin.client(STAFF) as client:
        await client.put(f"/subscriptions/{sid}/scripted-declines", json={"count": 0, "reason": "cleared"})
    async with twin.client(ADA) as client:
        paid = await client.post(f"/subscriptions/{sid}/payment")
    assert paid.json()["status"] == "active"
    again = await parcel(twin, 1)
    assert (again["coverage"], again["subscription_id"]) == ("plan", sid)


async def test_fair_use_counts_the_tickets_the_plan_covered_and_refuses_the_fourth_in_a_year_naming_the_rule() -> None:
    twin = RepairTwin(FixedClock(START), plans=PLANS)
    async with twin.client(ADA) as client:
        made = await client.post("/subscriptions", json={"market": "FR", "devices": [device(2)]})
    early = await parcel(twin, 2)
    assert early["coverage"] == "paid"
    assert str(early["coverage_reason"]).startswith("waiting_period:")
    twin.clock.set(START + 30 * DAY)
    covered = [await parcel(twin, 2) for _ in range(3)]
    assert {t["subscription_id"] for t in covered} == {made.json()["subscription_id"]}
    fourth = await parcel(twin, 2)
    assert fourth["coverage"] == "paid"
    assert str(fourth["coverage_reason"]).startswith("claims_per_device_per_year:")
