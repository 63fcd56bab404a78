"""The audit of personal data on CRM's twin: every staff lookup and erasure request leaves exactly
one record (who, scopes, why, which identifier kind, the request's correlation id), never the data;
staff must say why; lookups are limited per caller; a customer erases only themselves and follows
only their own request; the audit pages newest first for `crm:audit`."""

from __future__ import annotations

import httpx

from crm.domain.audit import ERASURE_REQUEST, customer_actor
from crm.domain.matching import email_identifier
from reloop_contracts.privacy import ErasureRequested
from reloop_localstack.testing import customer_headers, staff_headers
from reloop_shared.clock import FixedClock
from reloop_shared.memory import MemoryStore
from services.crm.tests.fakes import CrmTables, FakeVault, http_edge, new_store
from services.crm.tests.given import NOW, PEPPER, profile

WHY = "ticket CS-1042: customer called about a delivery"


def _twin(store: MemoryStore[CrmTables], *, lookup_rate_limit: str = "1000/minute") -> httpx.AsyncClient:
    app = http_edge(store, FakeVault(PEPPER), FixedClock(NOW), lookup_rate_limit=lookup_rate_limit)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://crm")


def _customer_service(subject: str = "agent-7") -> dict[str, str]:
    return {**staff_headers("crm:read", "crm:read-personal", subject=subject), "X-Purpose": WHY}


async def test_a_lookup_by_e_mail_leaves_exactly_one_audit_record_with_the_purpose_and_never_the_e_mail() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", email_identifier(PEPPER, "ines@example.org"), founded_at=NOW)
    async with _twin(store) as client:
        found = await client.get(
            "/profiles",
            params={"email": "ines@example.org"},
            headers={**_customer_service(), "X-Correlation-Id": "corr-lookup-1"},
        )

    assert (found.status_code, found.json()) == (200, {"profile_id": str(pid)})
    [record] = store.tables.personal_data_audit
    assert (record.action, record.profile_id, record.fields) == ("lookup", pid, ["email"])
    assert (record.actor, record.actor_kind, record.scopes) == ("agent-7", "staff", ["crm:read", "crm:read-personal"])
    assert (record.purpose, record.request_id, record.route) == (WHY, "corr-lookup-1", "GET /profiles")
    assert record.at == NOW
    assert "ines" not in repr(record).lower()


async def test_a_lookup_that_finds_nobody_is_a_404_and_is_still_recorded_without_a_profile() -> None:
    store = new_store()
    async with _twin(store) as client:
        missing = await client.get("/profiles", params={"phone": "+33 6 00 00 00 00"}, headers=_customer_service())

    assert missing.status_code == 404
    [record] = store.tables.personal_data_audit
    assert (record.action, record.profile_id, record.fields, record.purpose) == ("lookup", None, ["phone"], WHY)
    assert "600" not in repr(record)


async def test_staff_who_do_not_say_why_are_refused_with_a_422_naming_x_purpose_and_nothing_is_looked_up() -> None:
    store = new_store()
    pid = profile(store, "account:a1", founded_at=NOW)
    staff = staff_headers("crm:read", "crm:read-personal", "crm:erase", "crm:export")
    async with _twin(store) as client:
        refused = [
            await client.get("/profiles", params={"account_id": "a1"}, headers=staff),
            await client.get("/profiles", params={"account_id": "a1"}, headers={**staff, "X-Purpose": "x" * 201}),
            await client.get("/profiles", params={"account_id": "a1"}, headers={**staff, "X-Purpose": "a\tb"}),
            await client.get(f"/profiles/{pid}", headers=staff),
            await client.get(f"/profiles/{pid}/export", headers=staff),
            await client.post("/erasure-requests", json={"profile_id": str(pid)}, headers=staff),
        ]

    assert [(a.status_code, a.json()["field"]) for a in refused] == [(422, "X-Purpose")] * len(refused)
    assert store.tables.personal_data_audit == []
    assert store.tables.erasure_requests == {}
    assert store.outbox == []


async def test_the_fourth_lookup_within_a_minute_is_a_429_with_retry_after_recorded_as_refused_and_others_go_on() -> (
    None
):
    store = new_store()
    pid = profile(store, "account:a1", founded_at=NOW)
    async with _twin(store, lookup_rate_limit="3/minute") as client:
        allowed = [
            await client.get("/profiles", params={"account_id": "a1"}, headers=_customer_service("eve"))
            for _ in range(3)
        ]
        refused = await client.get("/profiles", params={"email": "x@example.org"}, headers=_customer_service("eve"))
        colleague = await client.get("/profiles", params={"account_id": "a1"}, headers=_customer_service("bob"))

    assert [a.status_code for a in allowed] == [200, 200, 200]
    assert (refused.status_code, refused.json()["error"]) == (429, "TooManyLookups")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert (colleague.status_code, colleague.json()) == (200, {"profile_id": str(pid)})
    actions = [(r.actor, r.action, r.profile_id, r.fields) for r in store.tables.personal_data_audit]
    assert actions == [
        *[("eve", "lookup", pid, ["account_id"])] * 3,
        ("eve", "lookup-refused", None, ["email"]),
        ("bob", "lookup", pid, ["account_id"]),
    ]


async def test_each_erasure_request_by_the_privacy_office_leaves_exactly_one_audit_record_with_the_purpose() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", "account:a1", founded_at=NOW)
    async with _twin(store) as client:
        asked = await client.post(
            "/erasure-requests",
            json={"profile_id": str(pid)},
            headers={**staff_headers("crm:erase", subject="dpo"), "X-Purpose": "letter of 2026-11-18"},
        )

    assert asked.status_code == 202, asked.text
    [record] = store.tables.personal_data_audit
    assert (record.action, record.profile_id, record.actor, record.actor_kind) == ("erasure", pid, "dpo", "staff")
    assert (record.purpose, record.fields, record.route) == ("letter of 2026-11-18", [], "POST /erasure-requests")


async def test_a_customer_erases_their_own_profile_with_their_token_and_only_they_can_follow_the_request() -> None:
    store = new_store()
    pid = profile(store, "subject:s9", "account:acct-ines", founded_at=NOW)
    other = profile(store, "account:acct-zoe", founded_at=NOW)
    async with _twin(store) as client:
        asked = await client.post("/me/erasure-requests", headers=customer_headers("acct-ines"))
        request_id = asked.json()["request_id"]
        mine = await client.get(f"/me/erasure-requests/{request_id}", headers=customer_headers("acct-ines"))
        theirs = await client.get(f"/me/erasure-requests/{request_id}", headers=customer_headers("acct-zoe"))
        made_up = await client.get("/me/erasure-requests/E-1", headers=customer_headers("acct-ines"))

    assert asked.status_code == 202, asked.text
    [published] = [r.event for r in store.outbox if isinstance(r.event, ErasureRequested)]
    assert (published.request_id, published.customer_ids, published.subject_ids) == (request_id, ["acct-ines"], ["s9"])
    assert (mine.status_code, mine.json()["status"]) == (200, "pending")
    assert (theirs.status_code, made_up.status_code) == (404, 404)
    [record] = store.tables.personal_data_audit
    assert (record.action, record.profile_id, record.actor_kind) == ("erasure", pid, "customer")
    assert (record.actor, record.purpose) == (customer_actor(PEPPER, "acct-ines"), ERASURE_REQUEST)
    assert "acct-ines" not in repr(record)
    assert other in store.tables.profiles, "another customer's profile is not touched"


async def test_a_customer_crm_has_no_profile_of_can_still_ask_to_be_erased_everywhere_but_has_nothing_to_export() -> (
    None
):
    store = new_store()
    async with _twin(store) as client:
        exported = await client.get("/me/export", headers=customer_headers("acct-new"))
        asked = await client.post("/me/erasure-requests", headers=customer_headers("acct-new"))

    assert (exported.status_code, exported.json()["error"]) == (404, "NotFound")
    assert asked.status_code == 202, asked.text
    [published] = [r.event for r in store.outbox if isinstance(r.event, ErasureRequested)]
    assert (published.customer_ids, published.subject_ids) == (["acct-new"], [])
    [record] = store.tables.personal_data_audit
    assert (record.action, record.profile_id, record.actor_kind) == ("erasure", None, "customer")


async def test_the_audit_pages_newest_first_for_crm_audit_and_filters_by_profile_and_actor() -> None:
    store = new_store()
    pid = profile(store, "account:a1", founded_at=NOW)
    profile(store, "account:a2", founded_at=NOW)
    async with _twin(store) as client:
        for n in range(5):
            await client.get("/profiles", params={"account_id": "a1"}, headers=_customer_service(f"agent-{n}"))
        await client.get("/profiles", params={"account_id": "a2"}, headers=_customer_service("agent-9"))
        auditor = staff_headers("crm:audit")
        first = await client.get("/audit", params={"profile_id": str(pid), "limit": 2}, headers=auditor)
        second = await client.get(
            "/audit",
            params={"profile_id": str(pid), "limit": 2, "cursor": first.json()["next_cursor"]},
            headers=auditor,
        )
        third = await client.get(
            "/audit",
            params={"profile_id": str(pid), "limit": 2, "cursor": second.json()["next_cursor"]},
            headers=auditor,
        )
        by_actor = await client.get("/audit", params={"actor": "agent-9"}, headers=auditor)
        reader = await client.get("/audit", params={"profile_id": str(pid)}, headers=_customer_service())

    pages = [first.json(), second.json(), third.json()]
    ids = [item["id"] for page in pages for item in page["items"]]
    expected = sorted(
        (r for r in store.tables.personal_data_audit if r.profile_id == pid),
        key=lambda r: (r.at, str(r.id)),
        reverse=True,
    )
    assert ids == [str(r.id) for r in expected]
    assert [len(p["items"]) for p in pages] == [2, 2, 1]
    assert pages[2]["next_cursor"] is None
    assert [i["actor"] for i in by_actor.json()["items"]] == ["agent-9"]
    assert (reader.status_code, reader.json()["scope"]) == (403, "crm:audit")
    assert len(store.tables.personal_data_audit) == 6, "reading the audit is not itself audited"


async def test_a_customer_token_never_reaches_staff_routes_and_a_staff_token_never_reaches_a_customers_own() -> None:
    store = new_store()
    pid = profile(store, "account:acct-ines", founded_at=NOW)
    async with _twin(store) as client:
        as_customer = [
            await client.get("/profiles", params={"account_id": "acct-ines"}, headers=customer_headers("acct-ines")),
            await client.get(f"/profiles/{pid}/export", headers=customer_headers("acct-ines")),
            await client.get("/audit", params={"profile_id": str(pid)}, headers=customer_headers("acct-ines")),
        ]
        as_staff = await client.get("/me/export", headers=staff_headers("crm:read", "crm:read-personal", "crm:export"))

    assert [a.status_code for a in as_customer] == [401, 401, 401]
    assert as_staff.status_code == 401
    assert store.tables.personal_data_audit == []
