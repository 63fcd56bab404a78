"""The audit of personal data on the real PostgreSQL and Kafka: each read of opened contact details,
each export and each erasure leaves exactly one record with its purpose, before the data leaves;
a redacted view leaves none; the table refuses to be rewritten; a customer's token reaches their
own profile only; lookups are limited per caller; `reloop audit --customer` prints the records."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from crm.bootstrap import build
from crm.domain.audit import ACCESS_REQUEST, ERASURE_REQUEST
from crm.entrypoints.cli import audit_command
from reloop_contracts import Event
from reloop_contracts.privacy import ERASURE, ErasureRequested
from reloop_localstack.testing import api, customer_headers, eventually, read_events, running, staff_headers
from reloop_shared.cli.main import build_parser
from services.crm.tests.support import (
    Run,
    customer,
    key_store,
    new_id,
    personal_reader,
    profile_of,
    reader,
    rows,
    sale,
    settings,
    timeline_of,
)

pytestmark = pytest.mark.connected

DETAILS = {"phone": "+33 6 55 44 33 22", "name": "Ada Byron-King", "delivery_postal_code": "75011"}


async def audit_rows(database_url: str, **where: Any) -> list[dict[str, Any]]:
    conditions = " AND ".join(f"{column} = ${n}" for n, column in enumerate(where, start=1)) or "TRUE"
    return await rows(
        database_url, f"SELECT * FROM personal_data_audit WHERE {conditions} ORDER BY at, id", *where.values()
    )


async def a_customer_with_a_profile(run: Run, keyvault_url: str, client: Any) -> tuple[str, str, dict[str, str]]:
    """A customer who bought online, with sealed contact details: their account, profile and details."""
    account, subject = new_id("acc"), new_id("sub")
    details = {"email": f"{new_id('ada')}@example.org", **DETAILS}
    async with key_store(keyvault_url) as sealer:
        sealed = await sealer.seal(subject, details)
    bought = sale(new_id("order"), "online", "wh-1", who=customer(account=account, subject=subject, sealed=sealed))
    await run.publish(bought, producer="orders")
    profile_id = await profile_of(client, account_id=account)
    await timeline_of(client, profile_id, entries=1)
    return account, profile_id, details


async def test_each_personal_data_read_leaves_exactly_one_audit_record_with_the_purpose_and_a_redacted_view_none(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    async with running(runtime), api(app) as client:
        _, profile_id, details = await a_customer_with_a_profile(run, keyvault_url, client)
        before = len(await audit_rows(database_url))
        opened = await client.get(
            f"/profiles/{profile_id}",
            headers={**personal_reader("ticket CS-7", subject="agent-ada"), "X-Correlation-Id": "corr-read-7"},
        )
        redacted = await client.get(f"/profiles/{profile_id}", headers=reader())
        no_purpose = await client.get(f"/profiles/{profile_id}", headers=staff_headers("crm:read", "crm:read-personal"))
        after = await audit_rows(database_url)
        auditor = staff_headers("crm:audit")
        pages, cursor = [], None
        while True:
            params = {"profile_id": profile_id, "limit": 1} | ({"cursor": cursor} if cursor else {})
            page = (await client.get("/audit", params=params, headers=auditor)).json()
            pages.append(page["items"])
            if (cursor := page["next_cursor"]) is None:
                break

    assert opened.json()["personal_data"][0]["fields"] == details
    assert redacted.json()["personal_data_redacted"] is True
    assert (no_purpose.status_code, no_purpose.json()["field"]) == (422, "X-Purpose")
    assert len(after) == before + 1, "one record for the opened view, none for the redacted one nor the refused one"
    [record] = [r for r in after if r["request_id"] == "corr-read-7"]
    assert (record["action"], str(record["profile_id"]), record["purpose"]) == ("read", profile_id, "ticket CS-7")
    assert (record["actor"], record["actor_kind"]) == ("agent-ada", "staff")
    assert (record["scopes"], record["fields"]) == (["crm:read", "crm:read-personal"], sorted(details))
    assert record["route"] == "GET /profiles/{profile_id}"
    everything_audited = json.dumps(after, default=str).lower()
    for value in details.values():
        assert value.lower() not in everything_audited

    # The audit endpoint pages through the profile's records, newest first, each once.
    newest_first = sorted(
        (r for r in after if str(r["profile_id"]) == profile_id), key=lambda r: (r["at"], r["id"]), reverse=True
    )
    assert [item["id"] for page in pages for item in page] == [str(r["id"]) for r in newest_first]
    assert [len(page) for page in pages] == [1] * len(newest_first)
    assert len(pages) > 1


async def test_the_audit_table_refuses_update_delete_and_truncate_and_lookups_are_limited_per_caller(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url, lookup_rate_limit="3/minute"))
    email = f"{new_id('nobody')}@example.org"
    async with running(runtime), api(app) as client:
        eve = [
            await client.get("/profiles", params={"email": email}, headers=personal_reader("enumerating?", "eve"))
            for _ in range(4)
        ]
        bob = await client.get("/profiles", params={"email": email}, headers=personal_reader("ticket CS-9", "bob"))

    assert [a.status_code for a in eve] == [404, 404, 404, 429]
    assert eve[3].json()["error"] == "TooManyLookups"
    assert 1 <= int(eve[3].headers["Retry-After"]) <= 60
    assert bob.status_code == 404, "another caller is not limited"
    recorded = await audit_rows(database_url)
    assert [(r["actor"], r["action"], r["profile_id"], r["fields"]) for r in recorded] == [
        *[("eve", "lookup", None, ["email"])] * 3,
        ("eve", "lookup-refused", None, ["email"]),
        ("bob", "lookup", None, ["email"]),
    ]
    assert email not in json.dumps(recorded, default=str), "a lookup records the identifier's kind, never its value"

    conn = await asyncpg.connect(database_url)
    try:
        for statement in (
            "UPDATE personal_data_audit SET purpose = 'nothing to see'",
            "DELETE FROM personal_data_audit WHERE actor = 'eve'",
            "TRUNCATE personal_data_audit",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await conn.execute(statement)
    finally:
        await conn.close()
    assert await audit_rows(database_url) == recorded


async def test_a_customer_exports_their_own_data_audited_and_no_one_elses_and_reloop_audit_prints_it(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    async with running(runtime), api(app) as client:
        account, profile_id, details = await a_customer_with_a_profile(run, keyvault_url, client)
        mine = await client.get("/me/export", headers=customer_headers(account))
        someone_else = await client.get("/me/export", headers=customer_headers(new_id("acc")))
        by_staff = await client.get(
            f"/profiles/{profile_id}/export",
            headers={**staff_headers("crm:export", subject="dpo"), "X-Purpose": "subject access request by post"},
        )
        without_scope = await client.get(f"/profiles/{profile_id}/export", headers=personal_reader())

    assert mine.status_code == 200, mine.text
    exported = mine.json()["profile"]
    assert exported["profile_id"] == profile_id
    assert exported["personal_data"][0]["fields"] == details
    assert {"kind": "account", "identifier": f"account:{account}"} in [
        {k: i[k] for k in ("kind", "identifier")} for i in exported["identifiers"]
    ]
    assert [e["kind"] for e in exported["timeline"]] == ["purchase"]
    assert "consents" in exported
    assert (someone_else.status_code, someone_else.json()["error"]) == (404, "NotFound")
    assert details["email"] not in someone_else.text
    assert by_staff.json()["profile"]["personal_data"] == exported["personal_data"]
    assert (without_scope.status_code, without_scope.json()["scope"]) == (403, "crm:export")

    exports = await audit_rows(database_url, action="export")
    assert [(r["actor_kind"], r["purpose"], r["fields"]) for r in exports] == [
        ("customer", ACCESS_REQUEST, sorted(details)),
        ("staff", "subject access request by post", sorted(details)),
    ]
    assert account not in json.dumps(exports, default=str), "a customer is named by a keyed hash of their account"
    assert [str(r["profile_id"]) for r in exports] == [profile_id, profile_id]

    everything = await audit_rows(database_url, profile_id=uuid.UUID(profile_id))
    for who in (account, profile_id):
        capsys.readouterr()
        assert await audit_command(_args(who, database_url)) == 0
        printed = capsys.readouterr().out.splitlines()
        assert len(printed) == len(everything)
        assert "export" in printed[0]
        assert "subject access request by post" in printed[0]
    assert await audit_command(_args(profile_id, database_url, as_json=True)) == 0
    as_json = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["id"] for r in as_json] == [str(r["id"]) for r in reversed(everything)]


async def test_a_customer_erases_themselves_with_their_token_the_request_goes_out_and_the_audit_stays(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    async with running(runtime), api(app) as client:
        account, profile_id, _ = await a_customer_with_a_profile(run, keyvault_url, client)
        asked = await client.post("/me/erasure-requests", headers=customer_headers(account))
        request_id = asked.json()["request_id"]

        def about_it(event: Event) -> bool:
            return bool(getattr(event, "request_id", None) == request_id)

        [request] = await read_events(run.bootstrap, run.topic(ERASURE), about_it, expect=1, registry=run.registry)

        async def forgotten() -> bool:
            return (await client.get("/me/export", headers=customer_headers(account))).status_code == 404

        await eventually(forgotten, message="CRM forgot the customer")
        mine = await client.get(f"/me/erasure-requests/{request_id}", headers=customer_headers(account))
        theirs = await client.get(f"/me/erasure-requests/{request_id}", headers=customer_headers(new_id("acc")))

    assert asked.status_code == 202, asked.text
    assert isinstance(request, ErasureRequested)
    assert request.customer_ids == [account]
    assert (mine.status_code, mine.json()["request_id"]) == (200, request_id)
    assert theirs.status_code == 404
    [record] = await audit_rows(database_url, action="erasure")
    assert (str(record["profile_id"]), record["actor_kind"], record["purpose"]) == (
        profile_id,
        "customer",
        ERASURE_REQUEST,
    )
    assert account not in json.dumps(await audit_rows(database_url), default=str)
    [asked_by] = await rows(database_url, "SELECT requested_by FROM erasure_requests WHERE request_id = $1", request_id)
    assert record["actor"] == asked_by["requested_by"], "the customer follows their request by the same keyed hash"


def _args(customer_id: str, database_url: str, *, as_json: bool = False) -> argparse.Namespace:
    """`reloop audit --customer ...` as the `reloop` CLI parses it (CRM's plugin registered)."""
    arguments = ["audit", "--customer", customer_id, "--database-url", database_url, *(["--json"] if as_json else [])]
    return build_parser().parse_args(arguments)
