"""Renewal runs on the twin: each market's dunning on its own clock, runners at once charging each
period once, and `POST /renewal-runs` playing out a dunning cycle on a clock moved ahead (only
ahead, never back; refused in production unless allowed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from reloop_contracts.amounts import Money
from reloop_localstack.testing import customer_headers, session_verifier, staff_headers
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import guards, install_verifier
from repair.bootstrap import build, runs_on_demand
from repair.config import RepairSettings
from repair.domain.plans import MarketPlan, OverdueStates, Plans, RetrySchedule
from repair.entrypoints.http.subscriptions import subscription_routes
from repair.service_layer import billing, subscriptions
from repair.service_layer.renewals import OnDemand, RenewalRun, run_renewals
from services.repair.tests.subscription_builders import FR, PLANS, START, imei, phone, subscribing
from services.repair.tests.subscription_fakes import SubscriptionTwin

DAY = timedelta(days=1)
DE = MarketPlan("DE", Money(799, "EUR"), RetrySchedule((2 * DAY,)), OverdueStates(5 * DAY, 8 * DAY))
TWO_MARKETS = Plans({"FR": FR, "DE": DE})
STAFF = staff_headers("repair:subscriptions", "repair:read")


@pytest.fixture
def twin() -> SubscriptionTwin:
    return SubscriptionTwin(FixedClock(START))


async def declining(twin: SubscriptionTwin, market: str) -> str:
    started = await subscriptions.subscribe(
        subscribing(f"acct-{market}", phone(), market=market), twin.unit_of_work(), twin.clock, TWO_MARKETS
    )
    await billing.script_declines(twin.unit_of_work(), started.subscription_id, 9, "card_expired")
    return started.subscription_id


async def status_of(twin: SubscriptionTwin, subscription_id: str) -> str:
    return (await subscriptions.subscription(twin.unit_of_work(), subscription_id, None)).status


async def test_each_market_retries_suspends_and_cancels_on_its_own_days(twin: SubscriptionTwin) -> None:
    french, german = await declining(twin, "FR"), await declining(twin, "DE")
    due = twin.tables.subscriptions[french].paid_through
    await run_renewals(twin.unit_of_work, twin.clock, TWO_MARKETS, as_of=due)
    assert twin.tables.subscriptions[french].next_attempt_at == due + DAY
    assert twin.tables.subscriptions[german].next_attempt_at == due + 2 * DAY
    await run_renewals(twin.unit_of_work, twin.clock, TWO_MARKETS, as_of=due + 5 * DAY)
    assert (await status_of(twin, german), await status_of(twin, french)) == ("suspended", "past_due")
    run = await run_renewals(twin.unit_of_work, twin.clock, TWO_MARKETS, as_of=due + 8 * DAY)
    # Cancelled by dunning past its paid period, so ended at once.
    assert (await status_of(twin, german), await status_of(twin, french)) == ("expired", "past_due")
    assert (run.cancelled, run.expired, run.suspended) == (1, 1, 0)
    # A run does every retry due by its moment: France's three (days 1, 3, 7), Germany's one (day 2).
    declined = [e for e in twin.tables.ledger if e.kind == "declined"]
    assert sum(e.subscription_id == french for e in declined) == 4
    assert sum(e.subscription_id == german for e in declined) == 2
    assert twin.tables.subscriptions[french].next_attempt_at is None


async def test_runners_at_once_share_the_batches_and_charge_each_period_once(twin: SubscriptionTwin) -> None:
    started = [
        await subscriptions.subscribe(subscribing(f"acct-{n}", phone()), twin.unit_of_work(), twin.clock, PLANS)
        for n in range(11)
    ]
    twin.clock.advance(31 * DAY)
    run = await run_renewals(twin.unit_of_work, twin.clock, PLANS, batch=2, runners=3)
    assert (run.renewed, run.looked_at, run.failed) == (11, 11, 0)
    for subscription in started:
        assert len(twin.tables.paid(subscription.subscription_id)) == 2  # the first month and the renewal
    assert await run_renewals(twin.unit_of_work, twin.clock, PLANS, runners=3) == RenewalRun()


def client_of(twin: SubscriptionTwin, on_demand: OnDemand) -> httpx.AsyncClient:
    app = create_edge(
        title="renewal runs on the twin",
        routers=[subscription_routes(twin.unit_of_work, twin.clock, PLANS, on_demand)],
    )
    install_verifier(app, session_verifier())
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://repair")


@pytest.fixture
async def client(twin: SubscriptionTwin) -> AsyncIterator[httpx.AsyncClient]:
    async with client_of(twin, OnDemand(allowed=True, runners=2)) as http:
        yield http


async def run_as_of(client: httpx.AsyncClient, at: datetime) -> dict[str, object]:
    answer = await client.post("/renewal-runs", json={"as_of": at.isoformat()}, headers=STAFF)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


async def test_staff_play_out_a_dunning_cycle_by_running_renewals_as_of_later_moments(
    client: httpx.AsyncClient,
) -> None:
    device = {"identifier": {"kind": "imei", "value": imei(35_200_000_000_001)}, "category": "tablet", "model": "t"}
    made = await client.post(
        "/subscriptions", json={"market": "FR", "devices": [device]}, headers=customer_headers("a")
    )
    sid = made.json()["subscription_id"]
    due = datetime.fromisoformat(made.json()["paid_through"])
    declines = {"count": 9, "reason": "insufficient_funds"}
    assert (
        await client.put(f"/subscriptions/{sid}/scripted-declines", json=declines, headers=STAFF)
    ).status_code == 204
    first = await run_as_of(client, due)
    assert first["as_of"] == due.isoformat().replace("+00:00", "Z")
    assert {k: first[k] for k in ("renewed", "failed", "past_due", "looked_at")} == {
        "renewed": 0,
        "failed": 1,
        "past_due": 1,
        "looked_at": 1,
    }
    for retry in (1, 3, 7):  # the retry schedule, each declined
        assert (await run_as_of(client, due + retry * DAY))["failed"] == 1
    assert (await run_as_of(client, due + 14 * DAY))["suspended"] == 1
    read = (await client.get(f"/subscriptions/{sid}", headers=STAFF)).json()
    assert read["status"] == "suspended"
    ended = await run_as_of(client, due + 21 * DAY)
    assert (ended["cancelled"], ended["expired"], ended["failed"]) == (1, 1, 0)
    charges = (await client.get(f"/subscriptions/{sid}/charges", headers=STAFF)).json()
    assert [c["kind"] for c in charges] == ["paid", "declined", "declined", "declined", "declined"]


async def test_a_run_as_of_a_moment_gone_is_refused_naming_as_of(
    client: httpx.AsyncClient, twin: SubscriptionTwin
) -> None:
    past = twin.clock.now() - timedelta(seconds=1)
    refused = await client.post("/renewal-runs", json={"as_of": past.isoformat()}, headers=STAFF)
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["field"] == "as_of"
    naive = await client.post("/renewal-runs", json={"as_of": "2026-03-01T00:00:00"}, headers=STAFF)
    assert naive.status_code == 422
    now = await client.post("/renewal-runs", json={}, headers=STAFF)
    assert now.status_code == 200
    assert now.json()["looked_at"] == 0


async def test_only_staff_with_the_subscriptions_scope_run_renewals(client: httpx.AsyncClient) -> None:
    assert (await client.post("/renewal-runs", json={}, headers=customer_headers("a"))).status_code == 401
    assert (await client.post("/renewal-runs", json={}, headers=staff_headers("repair:read"))).status_code == 403


async def test_in_production_runs_on_demand_are_refused_with_the_reason_unless_allowed(twin: SubscriptionTwin) -> None:
    production = RepairSettings(environment="production")
    assert runs_on_demand(production).allowed is False
    assert runs_on_demand(RepairSettings(environment="production", allow_runs_ahead=True)).allowed is True
    assert runs_on_demand(RepairSettings()).allowed is True
    async with client_of(twin, runs_on_demand(production)) as http:
        refused = await http.post("/renewal-runs", json={"as_of": (START + DAY).isoformat()}, headers=STAFF)
    assert refused.status_code == 403
    assert "REPAIR_ALLOW_RUNS_AHEAD" in refused.json()["message"]
    assert twin.tables.ledger == []


def test_the_run_endpoint_is_guarded_by_the_subscriptions_scope() -> None:
    _, app = build(RepairSettings())
    assert guards(app)["POST /renewal-runs"] == "scopes:repair:subscriptions"
