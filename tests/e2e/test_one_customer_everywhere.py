"""The promise carried through to CRM, with every service running for real: a customer who buys in
a shop and online is one profile, and when they ask to be forgotten every service that held
something about them confirms, nothing personal is left in any database, and the sales already on
the topics can no longer be opened."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from reloop_contracts import Event, sales
from reloop_contracts.privacy import PERSONAL_DATA_HOLDERS
from reloop_localstack.testing import TEST_KEKS, eventually, every_row, read_events
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from tests.e2e.system import System, buy_online, list_device, location, register_shop, sell_in_shop, stock_unit, system

pytestmark = pytest.mark.connected


async def test_a_shop_sale_and_an_online_sale_are_one_profile_and_erasing_it_reaches_every_holder(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    account = f"acct-{uuid.uuid4().hex[:10]}"
    email = f"grace.{uuid.uuid4().hex[:8]}@example.org"
    phone, name = "+33 6 12 34 56 78", "Grace Hopper-Lambert"
    async with system(env, new_database) as s:
        warehouse = await location(s, f"wh-{sku}", "warehouse")
        shop = f"shop-{sku.lower()}"
        till_key = await register_shop(s, shop)
        await list_device(s, sku, 45900)
        online_unit = await stock_unit(s, sku, warehouse)
        shop_unit = await stock_unit(s, sku, shop)

        # At the till she gives her e-mail and phone; online she signs in and gives the same
        # e-mail, written differently: CRM matches the two through the e-mail's keyed hash.
        till = {"email": email, "phone": phone, "name": name, "consent": {"marketing": True}}
        await sell_in_shop(s, shop, till_key, sku, shop_unit, 45900, customer=till)
        order = await buy_online(
            s, sku, account, contact={"email": email.upper(), "name": name, "delivery_postal_code": "75011"}
        )
        assert order["lines"][0]["unit_id"] == online_unit

        profile = await _profile_with_purchases(s, email, {"online", "own_shop"})
        assert {i["kind"] for i in profile["identifiers"]} >= {"account", "email", "subject"}
        assert profile["consents"]["marketing"]["granted"] is True
        assert (await s.crm.get("/profiles", params={"account_id": account})).json()["profile_id"] == (
            profile["profile_id"]
        )

        asked = await s.crm.post("/erasure-requests", json={"profile_id": profile["profile_id"]})
        assert asked.status_code == 202, asked.text
        request_id = asked.json()["request_id"]

        async def every_holder_confirmed() -> bool:
            status = (await s.crm.get(f"/erasure-requests/{request_id}")).json()
            return bool(status["status"] == "complete")

        await eventually(every_holder_confirmed, timeout=60, message="orders, store-sync and crm confirmed")
        status = (await s.crm.get(f"/erasure-requests/{request_id}")).json()
        assert status["pending"] == []
        assert sorted(c["service"] for c in status["confirmed"]) == sorted(PERSONAL_DATA_HOLDERS)
        assert (await s.crm.get(f"/profiles/{profile['profile_id']}")).status_code == 404
        assert (await s.crm.get("/profiles", params={"email": email})).status_code == 404

        def her_sales(event: Event) -> bool:
            return isinstance(event, sales.SaleRecorded) and any(line.sku == sku for line in event.lines)

        published = await read_events(bootstrap, sales.TRANSACTIONS, her_sales, expect=2)

    # Both sales carried her sealed details; after the erasure nobody can open them.
    keys = await PostgresKeyStore.connect(s.keyvault_url, TEST_KEKS)
    try:
        assert {e.channel for e in published if isinstance(e, sales.SaleRecorded)} == {"online", "own_shop"}
        for event in published:
            assert isinstance(event, sales.SaleRecorded)
            assert event.customer
            assert event.customer.personal
            assert await PersonalDataSealer(keys).open(event.customer.personal) is None
    finally:
        await keys.close()

    # Nothing personal is left in any database of any service: not in a table, a projection, an
    # outbox row or a quarantined ticket.
    for service, database_url in s.databases.items():
        everything = (await every_row(database_url)).lower()
        for personal in (email, account, phone, name):
            assert personal.lower() not in everything, f"{service} still holds {personal!r}"


async def _profile_with_purchases(s: System, email: str, channels: set[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def one_profile_with_both() -> bool:
        answer = await s.crm.get("/profiles", params={"email": email})
        if answer.status_code != 200:
            return False
        found.update((await s.crm.get(f"/profiles/{answer.json()['profile_id']}")).json())
        return {e["channel"] for e in found["timeline"] if e["kind"] == "purchase"} == channels

    await eventually(one_profile_with_both, timeout=60, message=f"one CRM profile with purchases {channels}")
    return found
