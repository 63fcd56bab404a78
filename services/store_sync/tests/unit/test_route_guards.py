"""Who may call each of store-sync's routes, as the service is built: a till's routes need the shop's
own key, the back office a staff token holding `store-sync:admin`, a shop's reads either, and only
the operations routes are public. A new route fails here until someone decides who may call it.

The refusals are checked on the app `build()` makes, never started: a guard refuses before any
handler (or the key store) runs, so no database is needed to see who is turned away."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from reloop_localstack.testing import customer_headers, session_verifier, staff_headers
from reloop_shared.http.authentication import guards, install_verifier
from store_sync.bootstrap import build
from store_sync.config import StoreSyncSettings

ADMIN = "scopes:store-sync:admin"
SHOP = "shop-key"
SHOP_OR_ADMIN = "shop-key-or-scopes:store-sync:admin"
A_SHOP_KEY = "rsk_0123456789abcdef_" + "s" * 43
"""Shaped like a shop's key: the back office's guard refuses it without asking the key store."""


def _app_guards() -> dict[str, str | None]:
    _, app = build(StoreSyncSettings())
    return guards(app)


_AS_BUILT = _app_guards()


def _routes(kind: str) -> list[tuple[str, str]]:
    """(method, path) of every route guarded by `kind`, its path parameters filled in."""
    return [
        (method, re.sub(r"\{[^}]+\}", "1", path))
        for method, path in (route.split(" ", 1) for route, guard in _AS_BUILT.items() if guard == kind)
    ]


BACK_OFFICE = _routes(ADMIN)
SHOPS_READS = _routes(SHOP_OR_ADMIN)
TILLS = _routes(SHOP)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    _, app = build(StoreSyncSettings())
    install_verifier(app, session_verifier())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://store-sync") as client:
        yield client


def test_tills_need_their_shops_key_the_back_office_store_sync_admin_and_only_operations_are_public() -> None:
    assert _app_guards() == {
        "POST /shops/{shop_id}/transactions": SHOP,
        "POST /shops/{shop_id}/sales": SHOP,
        "POST /shops/{shop_id}/returns": SHOP,
        "POST /shops/{shop_id}/trade-ins": SHOP,
        "POST /shops/{shop_id}/repairs": SHOP,
        "POST /shops/{shop_id}/stock-counts": SHOP,
        "POST /shops/{shop_id}/day-closes": SHOP,
        "POST /shops/{shop_id}/partner/tickets": SHOP,
        "POST /shops/{shop_id}/partner/exports": SHOP,
        "POST /shops/{shop_id}/shipments": SHOP,
        "POST /shops/{shop_id}/voucher-holds": SHOP,
        "GET /shops/{shop_id}/voucher-holds/{hold_id}": SHOP,
        "GET /shops/{shop_id}": SHOP_OR_ADMIN,
        "GET /shops/{shop_id}/feed": SHOP_OR_ADMIN,
        "GET /shops/{shop_id}/quarantine": SHOP_OR_ADMIN,
        "GET /shops/{shop_id}/collected": SHOP_OR_ADMIN,
        "POST /shops": ADMIN,
        "PUT /shops/{shop_id}/customer-data-policy": ADMIN,
        "POST /shops/{shop_id}/api-keys": ADMIN,
        "DELETE /shops/{shop_id}/api-keys/{key_id}": ADMIN,
        "POST /operators": ADMIN,
        "PUT /operators/{operator_id}/customer-data-policy": ADMIN,
        "GET /operators/{operator_id}/sku-mappings": ADMIN,
        "PUT /operators/{operator_id}/sku-mappings/{partner_sku}": ADMIN,
        "GET /quarantine": ADMIN,
        "POST /quarantine/{quarantine_id}/replay": ADMIN,
        "POST /shipments/{shipment_id}/receipt": ADMIN,
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
    }


@pytest.mark.parametrize(("method", "path"), BACK_OFFICE, ids=[f"{m} {p}" for m, p in BACK_OFFICE])
async def test_the_back_office_without_a_valid_staff_token_is_a_401_and_a_shops_key_does_not_open_it(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    refused = [
        await client.request(method, path, json={}, headers=headers)
        for headers in (
            {},
            {"Authorization": "Bearer x.y.z"},
            {"Authorization": f"Bearer {A_SHOP_KEY}"},
            {"X-Api-Key": A_SHOP_KEY},
            customer_headers("00000000-0000-4000-8000-000000000001"),
        )
    ]

    for answer in refused:
        assert (answer.status_code, answer.json()["field"]) == (401, "Authorization"), answer.text
        assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("method", "path"), BACK_OFFICE + SHOPS_READS, ids=[f"{m} {p}" for m, p in BACK_OFFICE + SHOPS_READS]
)
async def test_a_staff_token_without_store_sync_admin_is_a_403_naming_the_scope(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    answers = [
        await client.request(method, path, json={}, headers=staff_headers(*scopes))
        for scopes in (("catalog:write", "inventory:write", "crm:read"), ())
    ]

    for answer in answers:
        body = answer.json()
        assert (answer.status_code, body["error"], body["field"], body["scope"]) == (
            403,
            "Forbidden",
            "scope",
            "store-sync:admin",
        ), answer.text


@pytest.mark.parametrize(("method", "path"), SHOPS_READS, ids=[f"{m} {p}" for m, p in SHOPS_READS])
async def test_a_shops_read_without_a_key_or_a_valid_token_is_a_401(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    refused = [
        await client.request(method, path, headers=headers)
        for headers in ({}, {"Authorization": "Bearer x.y.z"}, customer_headers("c-1"))
    ]

    assert [(a.status_code, a.json()["field"]) for a in refused] == [(401, "Authorization")] * 3


@pytest.mark.parametrize(("method", "path"), TILLS, ids=[f"{m} {p}" for m, p in TILLS])
async def test_a_tills_route_needs_the_shops_key_and_the_back_office_token_does_not_open_it(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    refused = [
        await client.request(method, path, json={}, headers=headers)
        for headers in ({}, {"Authorization": "Bearer not-a-key"}, staff_headers("store-sync:admin"))
    ]

    for answer in refused:
        assert (answer.status_code, answer.json()["field"]) == (401, "Authorization"), answer.text
        assert answer.headers["WWW-Authenticate"] == "Bearer"
