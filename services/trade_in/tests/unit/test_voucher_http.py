"""The vouchers' HTTP routes on the twin: who may read and issue, and what each answer shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from reloop_localstack.testing import customer_headers, session_verifier, staff_headers
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier, unguarded_routes
from services.trade_in.tests.voucher_fakes import VoucherTwin
from trade_in.entrypoints.http.vouchers import voucher_routes

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
STAFF = staff_headers("trade-in:vouchers")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    twin = VoucherTwin(FixedClock(NOW))
    app = create_edge(title="vouchers on the twin", routers=[voucher_routes(twin.unit_of_work, twin.clock)])
    install_verifier(app, session_verifier())
    assert unguarded_routes(app) == []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://trade-in") as http:
        yield http


async def issue(client: httpx.AsyncClient, customer_id: str = "acct-42", amount: int = 2_500) -> dict[str, str]:
    body = {"market": "FR", "amount": {"amount_minor": amount, "currency": "EUR"}, "customer_id": customer_id}
    response = await client.post("/vouchers", json=body, headers=STAFF)
    assert response.status_code == 201, response.text
    issued: dict[str, str] = response.json()
    return issued


async def test_staff_issue_a_goodwill_voucher_and_get_its_code_once(client: httpx.AsyncClient) -> None:
    issued = await issue(client)
    assert issued["code"].startswith("TRD-")
    assert issued["code_hint"] == issued["code"][-4:]
    read = await client.get(f"/vouchers/{issued['voucher_id']}", headers=STAFF)
    assert read.status_code == 200
    assert issued["code"] not in read.text
    assert [e["kind"] for e in read.json()["ledger"]] == ["issue"]
    assert read.json()["balance"] == {"amount_minor": 2_500, "currency": "EUR"}


async def test_the_customer_reads_the_balance_of_their_own_voucher_and_another_customer_gets_404(
    client: httpx.AsyncClient,
) -> None:
    issued = await issue(client)
    mine = await client.get(f"/vouchers/{issued['code'].lower()}/balance", headers=customer_headers("acct-42"))
    assert mine.status_code == 200
    assert mine.json()["balance"]["amount_minor"] == 2_500
    theirs = await client.get(f"/vouchers/{issued['code']}/balance", headers=customer_headers("acct-7"))
    assert theirs.status_code == 404
    staff = await client.get(f"/vouchers/{issued['code']}/balance", headers=STAFF)
    assert staff.status_code == 200


async def test_without_a_token_it_is_401_and_staff_without_the_scope_403(client: httpx.AsyncClient) -> None:
    issued = await issue(client)
    assert (await client.get(f"/vouchers/{issued['code']}/balance")).status_code == 401
    other_scope = staff_headers("trade-in:read")
    refused = await client.get(f"/vouchers/{issued['code']}/balance", headers=other_scope)
    assert refused.status_code == 403
    assert refused.json()["field"] == "scope"
    customer_issuing = await client.post(
        "/vouchers",
        json={"market": "FR", "amount": {"amount_minor": 100, "currency": "EUR"}},
        headers=customer_headers("acct-42"),
    )
    assert customer_issuing.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"market": "GB", "amount": {"amount_minor": 100, "currency": "EUR"}}, "amount.currency"),
        ({"market": "FR", "amount": {"amount_minor": 0, "currency": "EUR"}}, "amount.amount_minor"),
        ({"market": "FR", "amount": {"amount_minor": 100, "currency": "EUR"}, "balance": 5}, "balance"),
    ],
)
async def test_an_issue_the_rules_refuse_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/vouchers", json=body, headers=STAFF)
    assert response.status_code == 422
    assert response.json()["field"] == field


async def test_an_unknown_code_or_voucher_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/vouchers/TRD-2222-2222-2222-2222/balance", headers=STAFF)).status_code == 404
    assert (await client.get("/vouchers/VCH-NOPE", headers=STAFF)).status_code == 404
