"""One profile per person, whichever channels they bought in, as far as ownership and consent allow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from crm.bootstrap import build
from reloop_localstack.testing import api, eventually, every_row, running
from services.crm.tests.support import (
    Run,
    consent,
    customer,
    key_store,
    new_id,
    personal_reader,
    profile_of,
    reader,
    returned,
    rows,
    sale,
    settings,
    timeline_of,
)

pytestmark = pytest.mark.connected


async def test_a_customer_who_buys_in_an_own_shop_then_online_then_returns_in_a_partner_shop_has_one_profile(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, shop_subject, online_subject, partner_subject = (new_id(p) for p in ("acc", "sub", "sub", "sub"))
    async with key_store(keyvault_url) as sealer:
        at_the_till = await sealer.seal(
            shop_subject, {"email": "Ada.Lovelace@example.org", "phone": "06 12 34 56 78", "name": "Ada Lovelace"}
        )
        online = await sealer.seal(
            online_subject, {"email": "ada.lovelace@example.org ", "name": "Ada L.", "delivery_postal_code": "75011"}
        )
        at_the_partner = await sealer.seal(partner_subject, {"email": "ada.lovelace@example.org"})
    shop_sale = sale(
        new_id("till"),
        "own_shop",
        "shop-paris-1",
        who=customer(subject=shop_subject, sealed=at_the_till, given=consent(marketing=True, by="shop-paris-1")),
        accessories=1,
    )
    online_sale = sale(
        new_id("order"), "online", "wh-1", who=customer(account=account, subject=online_subject, sealed=online)
    )
    partner_return = returned(
        online_sale,
        "partner_shop",
        "partner-lyon-7",
        who=customer(
            subject=partner_subject, sealed=at_the_partner, owner="partner", given=consent(by="partner-lyon-7")
        ),
    )
    async with running(runtime), api(app) as client:
        await run.publish(shop_sale, producer="store-sync")
        shop_profile = await profile_of(client, subject_id=shop_subject)
        await run.publish(online_sale, producer="orders")
        await run.publish(partner_return, producer="store-sync")
        profile_id = await profile_of(client, account_id=account)
        view = await timeline_of(client, profile_id, entries=3)
        assert await profile_of(client, email="ADA.LOVELACE@example.org") == profile_id
    # Matched on the e-mail (its keyed hash): the online identifiers joined the shop customer's profile.
    assert profile_id == shop_profile

    kinds = [(e["kind"], e["channel"], e["location_id"], e["source"]) for e in view["timeline"]]
    assert kinds == [
        ("purchase", "own_shop", "shop-paris-1", "SaleRecorded"),
        ("purchase", "online", "wh-1", "SaleRecorded"),
        ("return", "partner_shop", "partner-lyon-7", "ReturnRecorded"),
    ]
    # The same handlers for every channel: one consumer, one exactly-once record per event.
    applied = await rows(database_url, "SELECT consumer FROM processed_events")
    assert [r["consumer"] for r in applied] == ["crm"] * 3
    assert {p["subject_id"] for p in view["personal_data"]} == {shop_subject, online_subject}
    assert view["consents"]["marketing"]["granted"] is True
    assert view["consents"]["marketing"]["captured_by"] == "shop-paris-1"
    # The partner's customer gave no sharing consent: nothing of theirs reached CRM.
    assert partner_subject not in await every_row(database_url)


async def test_a_partner_shop_customer_without_sharing_consent_leaves_only_an_anonymous_sale(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    account, subject = new_id("acc"), new_id("sub")
    async with key_store(keyvault_url) as sealer:
        sealed = await sealer.seal(subject, {"email": "grace@example.org", "phone": "+33 7 00 00 00 01"})
    partner_sale = sale(
        new_id("till"),
        "partner_shop",
        "partner-lyon-7",
        who=customer(account=account, subject=subject, sealed=sealed, owner="partner", given=consent(marketing=True)),
        services=1,
    )
    async with running(runtime), api(app) as client:
        await run.publish(partner_sale, producer="store-sync")

        async def counted() -> bool:
            return bool(await rows(database_url, "SELECT 1 FROM sale_facts WHERE sale_id = $1", partner_sale.sale_id))

        await eventually(counted, message="the sale reached the analytics")
        assert (
            await client.get("/profiles", params={"account_id": account}, headers=personal_reader())
        ).status_code == 404
        channels = (await client.get("/analytics/channels", headers=reader())).json()

    assert channels == [
        {
            "channel": "partner_shop",
            "sales": 1,
            "returned_sales": 0,
            "return_rate": 0.0,
            "units_sold": 2,
            "units_returned": 0,
            "unit_return_rate": 0.0,
            "device_sales": 1,
            "accessory_attach_rate": 0.0,
            "service_attach_rate": 1.0,
            "accessories_per_sale": 0.0,
            "services_per_sale": 1.0,
        }
    ]
    everything = await every_row(database_url)
    for personal in (account, subject, sealed.ciphertext, "grace@example.org"):
        assert personal not in everything
    for table in ("identifiers", "profiles", "contacts", "consents", "timeline"):
        assert await rows(database_url, f"SELECT * FROM {table}") == []
