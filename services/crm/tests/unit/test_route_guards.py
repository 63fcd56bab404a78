"""Who may call CRM's routes, as the service is built and on its twin: reading profiles and opening
the personal data in them are apart, a look-up by e-mail or phone is a personal-data query, merges
and erasures are scopes of their own, so are exports and the audit, a customer's token reaches only
`/me`, and nothing is public. No token is a 401 naming
`Authorization`; a token without the scope a 403 naming the scope, and nothing is applied."""

from __future__ import annotations

import uuid

import httpx
import pytest

from crm.bootstrap import build
from crm.config import CrmSettings
from crm.domain.matching import email_identifier
from reloop_localstack.testing import staff_headers
from reloop_shared.clock import FixedClock
from reloop_shared.http.authentication import guards
from reloop_shared.memory import MemoryStore
from services.crm.tests.fakes import CrmTables, FakeVault, http_edge, new_store
from services.crm.tests.given import NOW, PEPPER, contact, profile

READ, READ_PERSONAL, WRITE = "scopes:crm:read", "scopes:crm:read-personal", "scopes:crm:write"
MERGE, ERASE = "scopes:crm:merge", "scopes:crm:erase"
EXPORT, AUDIT = "scopes:crm:export", "scopes:crm:audit"
WHY = {"X-Purpose": "ticket CS-1"}
SOMEONE = "00000000-0000-4000-8000-000000000001"

ROUTES = [
    ("GET", f"/profiles/{SOMEONE}", None),
    ("GET", "/profiles?email=ines@example.org", None),
    ("GET", f"/profiles/{SOMEONE}/export", None),
    ("POST", f"/profiles/{SOMEONE}/consents", {"purpose": "marketing", "granted": True, "captured_by": "online"}),
    ("POST", "/merges", {"profile_id": SOMEONE, "other_profile_id": SOMEONE, "reason": "r", "requested_by": "a"}),
    ("GET", "/merges/M-1", None),
    ("POST", "/merges/M-1/undo", {"reason": "r", "requested_by": "a"}),
    ("POST", "/erasure-requests", {"profile_id": SOMEONE}),
    ("GET", "/erasure-requests/E-1", None),
    ("GET", "/me/export", None),
    ("POST", "/me/erasure-requests", None),
    ("GET", "/me/erasure-requests/E-1", None),
    ("GET", f"/audit?profile_id={SOMEONE}", None),
    (
        "POST",
        "/shops",
        {"shop_id": "s", "kind": "own_shop", "market": "FR", "catchment_prefixes": ["75"], "opened_on": "2026-01-05"},
    ),
    ("GET", "/analytics/channels", None),
    ("GET", "/analytics/halo", None),
    ("GET", "/analytics/trade-ins", None),
    ("GET", "/analytics/repairs", None),
]


def test_every_route_is_behind_the_scope_the_readme_says_and_only_operations_are_public() -> None:
    _, app = build(CrmSettings())
    assert guards(app) == {
        "GET /profiles/{profile_id}": READ,
        "GET /profiles": READ_PERSONAL,
        "GET /profiles/{profile_id}/export": EXPORT,
        "POST /profiles/{profile_id}/consents": WRITE,
        "POST /merges": MERGE,
        "GET /merges/{merge_id}": MERGE,
        "POST /merges/{merge_id}/undo": MERGE,
        "POST /erasure-requests": ERASE,
        "GET /erasure-requests/{request_id}": ERASE,
        "GET /me/export": "customer",
        "POST /me/erasure-requests": "customer",
        "GET /me/erasure-requests/{request_id}": "customer",
        "GET /audit": AUDIT,
        "POST /shops": WRITE,
        "GET /analytics/channels": READ,
        "GET /analytics/halo": READ,
        "GET /analytics/trade-ins": READ,
        "GET /analytics/repairs": READ,
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
    }


def _twin(store: MemoryStore[CrmTables] | None = None, vault: FakeVault | None = None) -> httpx.AsyncClient:
    app = http_edge(store or new_store(), vault or FakeVault(PEPPER), FixedClock(NOW))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm")


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_every_route_answers_401_naming_authorization_without_a_token(
    method: str, path: str, body: dict[str, object] | None
) -> None:
    store = new_store()
    async with _twin(store) as client:
        anonymous = await client.request(method, path, json=body)
        garbled = await client.request(method, path, json=body, headers={"Authorization": "Bearer x.y.z"})

    for answer in (anonymous, garbled):
        assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")
        assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert store.outbox == []


async def test_a_lookup_by_e_mail_without_crm_read_personal_is_a_403_naming_it_and_with_it_finds_the_profile() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", email_identifier(PEPPER, "ines@example.org"), founded_at=NOW)
    async with _twin(store) as client:
        reader = await client.get("/profiles", params={"email": "ines@example.org"}, headers=staff_headers("crm:read"))
        allowed = await client.get(
            "/profiles", params={"email": "Ines@Example.org"}, headers={**staff_headers("crm:read-personal"), **WHY}
        )

    assert (reader.status_code, reader.json()["error"], reader.json()["scope"]) == (
        403,
        "Forbidden",
        "crm:read-personal",
    )
    assert "ines" not in reader.text
    assert (allowed.status_code, allowed.json()) == (200, {"profile_id": str(pid)})


async def test_an_erasure_request_without_crm_erase_is_a_403_and_erases_nothing() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    pid = profile(store, "subject:s1", "account:a1", founded_at=NOW)
    contact(store, vault, "s1", {"email": "ines@example.org"}, NOW)
    before = (dict(store.tables.identifiers), dict(store.tables.contacts))
    async with _twin(store, vault) as client:
        everyone_else = [
            await client.post(
                "/erasure-requests", json={"profile_id": str(pid)}, headers={**staff_headers(*scopes), **WHY}
            )
            for scopes in (
                ("crm:read", "crm:read-personal", "crm:write", "crm:merge"),
                ("crm:read",),
                (),
            )
        ]
        progress = await client.get("/erasure-requests/E-1", headers=staff_headers("crm:read", "crm:write"))

    assert [(a.status_code, a.json()["scope"]) for a in everyone_else] == [(403, "crm:erase")] * 3
    assert (progress.status_code, progress.json()["scope"]) == (403, "crm:erase")
    assert store.tables.erasure_requests == {}
    assert (dict(store.tables.identifiers), dict(store.tables.contacts)) == before
    assert vault.destroyed == set()
    assert store.outbox == [], "no ErasureRequested was published"


async def test_the_privacy_office_with_crm_erase_asks_for_the_erasure_and_follows_it() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", founded_at=NOW)
    async with _twin(store) as client:
        asked = await client.post(
            "/erasure-requests", json={"profile_id": str(pid)}, headers={**staff_headers("crm:erase"), **WHY}
        )
        progress = await client.get(
            f"/erasure-requests/{asked.json()['request_id']}", headers=staff_headers("crm:erase")
        )

    assert asked.status_code == 202, asked.text
    assert (progress.status_code, progress.json()["status"]) == (200, "pending")
    assert len(store.outbox) == 1


async def test_merges_need_crm_merge_and_a_write_token_changes_no_profile() -> None:
    store = new_store()
    first = profile(store, "subject:s1", founded_at=NOW)
    second = profile(store, "account:a2", founded_at=NOW)
    body = {"profile_id": str(second), "other_profile_id": str(first), "reason": "same", "requested_by": "agent"}
    async with _twin(store) as client:
        writer = await client.post("/merges", json=body, headers=staff_headers("crm:write", "crm:read"))
        audit = await client.get("/merges/M-1", headers=staff_headers("crm:read", "crm:read-personal"))
        undo = await client.post("/merges/M-1/undo", json=body, headers=staff_headers("crm:erase"))
        merger = await client.post("/merges", json=body, headers=staff_headers("crm:merge"))

    assert [(a.status_code, a.json()["scope"]) for a in (writer, audit, undo)] == [(403, "crm:merge")] * 3
    assert merger.status_code == 201, merger.text
    assert merger.json()["profile_id"] in {str(first), str(second)}


async def test_a_consent_change_and_a_shop_declaration_need_crm_write_and_a_read_token_records_nothing() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", founded_at=NOW)
    consent = {"purpose": "marketing", "granted": True, "captured_by": "customer_service"}
    shop = {"shop_id": "s", "kind": "own_shop", "market": "FR", "catchment_prefixes": ["75"], "opened_on": "2026-01-05"}
    async with _twin(store) as client:
        refused = [
            await client.post(f"/profiles/{pid}/consents", json=consent, headers=staff_headers("crm:read")),
            await client.post("/shops", json=shop, headers=staff_headers("crm:read", "crm:merge")),
        ]
        unchanged = (dict(store.tables.consents), dict(store.tables.shops), list(store.outbox))
        changed = await client.post(f"/profiles/{pid}/consents", json=consent, headers=staff_headers("crm:write"))
        declared = await client.post("/shops", json=shop, headers=staff_headers("crm:write"))

    assert [(a.status_code, a.json()["scope"]) for a in refused] == [(403, "crm:write")] * 2
    assert unchanged == ({}, {}, [])
    assert (changed.status_code, declared.status_code) == (201, 201)


@pytest.mark.parametrize(
    "path",
    [
        f"/profiles/{uuid.uuid4()}",
        "/analytics/channels",
        "/analytics/halo",
        "/analytics/trade-ins",
        "/analytics/repairs",
    ],
)
async def test_the_360_view_and_the_reports_need_crm_read_and_personal_data_alone_does_not_open_them(
    path: str,
) -> None:
    async with _twin() as client:
        answer = await client.get(path, headers=staff_headers("crm:read-personal", "crm:write"))

    assert (answer.status_code, answer.json()["scope"]) == (403, "crm:read")
