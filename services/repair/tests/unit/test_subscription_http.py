"""The subscription routes on the twin: who may call each one, and what each answer shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from reloop_localstack.testing import customer_headers, session_verifier, staff_headers
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier, unguarded_routes
from repair.entrypoints.http.subscriptions import subscription_routes
from repair.service_layer.renewals import run_renewals
from services.repair.tests.subscription_builders import PLANS, START, imei
from services.repair.tests.subscription_fakes import SubscriptionTwin

ADA = customer_headers("acct-42")
EVE = customer_headers("acct-7")
STAFF = staff_headers("repair:subscriptions", "repair:read")


def device(n: int = 1) -> dict[str, object]:
    return {
        "identifier": {"kind": "imei", "value": imei(35_100_000_000_000 + n)},
        "category": "smartphone",
        "model": "p",
    }


@pytest.fixture
def twin() -> SubscriptionTwin:
    return SubscriptionTwin(FixedClock(START))


@pytest.fixture
async def client(twin: SubscriptionTwin) -> AsyncIterator[httpx.AsyncClient]:
    app = create_edge(
        title="subscriptions on the twin", routers=[subscription_routes(twin.unit_of_work, twin.clock, PLANS)]
    )
    install_verifier(app, session_verifier())
    assert unguarded_routes(app) == []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://repair") as http:
        yield http


async def subscribe(client: httpx.AsyncClient, n: int = 1) -> dict[str, object]:
    response = await client.post("/subscriptions", json={"market": "FR", "devices": [device(n)]}, headers=ADA)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_a_customer_subscribes_with_their_token_and_reads_only_their_own(client: httpx.AsyncClient) -> None:
    mine = await subscribe(client)
    assert (mine["customer_id"], mine["status"], mine["price"]) == (
        "acct-42",
        "active",
        {"amount_minor": 699, "currency": "EUR"},
    )
    path = f"/subscriptions/{mine['subscription_id']}"
    assert (await client.get(path, headers=ADA)).status_code == 200
    assert (await client.get(path, headers=EVE)).status_code == 404
    assert (await client.post(f"{path}/cancel", json={}, headers=EVE)).status_code == 404
    assert (await client.get(path, headers=STAFF)).status_code == 200
    listed = (await client.get("/me/subscriptions", headers=ADA)).json()
    assert [s["subscription_id"] for s in listed["items"]] == [mine["subscription_id"]]
    assert (await client.get("/me/subscriptions", headers=EVE)).json()["items"] == []


async def test_staff_subscribe_a_customer_in_a_shop_and_a_customer_token_cannot(client: httpx.AsyncClient) -> None:
    body = {"market": "FR", "devices": [device(2)], "customer_id": "acct-42", "shop_id": "PAR-01"}
    assert (await client.post("/shop-subscriptions", json=body, headers=ADA)).status_code == 401
    reader = staff_headers("repair:read")
    refused = await client.post("/shop-subscriptions", json=body, headers=reader)
    assert refused.status_code == 403
    made = await client.post("/shop-subscriptions", json=body, headers=STAFF)
    assert made.status_code == 201, made.text
    assert (made.json()["channel"], made.json()["shop_id"]) == ("own_shop", "PAR-01")


async def test_an_imei_with_a_wrong_check_digit_or_a_market_without_a_plan_is_refused(
    client: httpx.AsyncClient,
) -> None:
    wrong = {"identifier": {"kind": "imei", "value": "490154203237519"}, "category": "smartphone", "model": "p"}
    bad = await client.post("/subscriptions", json={"market": "FR", "devices": [wrong]}, headers=ADA)
    assert bad.status_code == 422
    assert "check digit" in bad.text
    nowhere = await client.post("/subscriptions", json={"market": "JP", "devices": [device(3)]}, headers=ADA)
    assert nowhere.status_code == 422
    assert "no repair plan" in nowhere.text


async def test_staff_script_declines_the_renewal_fails_and_the_customer_pays_and_reads_the_ledger(
    client: httpx.AsyncClient, twin: SubscriptionTwin
) -> None:
    mine = await subscribe(client, 4)
    path = f"/subscriptions/{mine['subscription_id']}"
    script = {"count": 1, "reason": "card_expired"}
    assert (await client.put(f"{path}/scripted-declines", json=script, headers=ADA)).status_code == 401
    assert (await client.put(f"{path}/scripted-declines", json=script, headers=STAFF)).status_code == 204
    twin.clock.advance(timedelta(days=31))
    await run_renewals(twin.unit_of_work, twin.clock, PLANS)
    assert (await client.get(path, headers=ADA)).json()["status"] == "past_due"
    paid = await client.post(f"{path}/payment", headers=ADA)
    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "active"
    again = await client.post(f"{path}/payment", headers=ADA)
    assert again.status_code == 409
    ledger = (await client.get(f"{path}/charges", headers=ADA)).json()
    assert [(e["kind"], e["attempt"], e["reason"]) for e in ledger] == [
        ("paid", 1, ""),
        ("declined", 1, "card_expired"),
        ("paid", 2, ""),
    ]
    assert (await client.get(f"{path}/charges", headers=EVE)).status_code == 404


async def test_staff_refund_part_of_a_charge_never_more_than_it_paid(client: httpx.AsyncClient) -> None:
    mine = await subscribe(client, 5)
    path = f"/subscriptions/{mine['subscription_id']}"
    [first] = (await client.get(f"{path}/charges", headers=STAFF)).json()
    refund = f"{path}/charges/{first['charge_id']}/refund"
    body = {"amount": {"amount_minor": 500, "currency": "EUR"}, "reason": "goodwill"}
    assert (await client.post(refund, json=body, headers=ADA)).status_code == 401
    assert (await client.post(refund, json=body, headers=STAFF)).status_code == 201
    too_much = await client.post(refund, json=body, headers=STAFF)
    assert too_much.status_code == 409
    kinds = [e["kind"] for e in (await client.get(f"{path}/charges", headers=STAFF)).json()]
    assert kinds == ["paid", "refund"]


async def test_cancelling_keeps_the_paid_period_and_a_second_cancel_is_a_conflict(client: httpx.AsyncClient) -> None:
    mine = await subscribe(client, 6)
    path = f"/subscriptions/{mine['subscription_id']}"
    cancelled = await client.post(f"{path}/cancel", json={"reason": "too expensive"}, headers=ADA)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["paid_through"]) == ("cancelled", mine["paid_through"])
    assert (await client.post(f"{path}/cancel", json={}, headers=STAFF)).status_code == 409
