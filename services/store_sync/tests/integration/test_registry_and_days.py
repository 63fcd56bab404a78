"""The registry announces its shops, where they are, when they open and their customer-data
policies; a till's stock count and its day close go out as events, the close set against what
reloop recorded for that day."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts import sales, store
from reloop_localstack.testing import api, outbox_drained, running
from services.store_sync.tests.support import (
    accessory_sale,
    all_events,
    back_office,
    bearer,
    money,
    operator,
    settings,
    shop,
    unique,
)
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected


async def test_a_partner_policy_is_set_per_operator_overridden_per_shop_and_enforced_on_the_next_sale(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    operator_id, shop_id = unique("telco"), unique("TELCO")
    customer = {"email": "ana@example.org", "consent": {"partner_sharing": True}}
    at = datetime.now(UTC) - timedelta(minutes=30)
    async with running(runtime), api(app) as client:
        await operator(client, operator_id, policy={"data_owner": "partner", "crm_sharing": "with_consent"})
        key = await shop(client, shop_id, kind="partner_shop", operator_id=operator_id)
        shared = await client.post(
            f"/shops/{shop_id}/sales", json=accessory_sale("T-1", at, customer=customer), headers=bearer(key)
        )
        never = await client.put(
            f"/shops/{shop_id}/customer-data-policy",
            json={"policy": {"data_owner": "partner", "crm_sharing": "never"}},
            headers=back_office(),
        )
        kept = await client.post(
            f"/shops/{shop_id}/sales", json=accessory_sale("T-2", at, customer=customer), headers=bearer(key)
        )
        refused = await client.put(
            f"/operators/{operator_id}/customer-data-policy",
            json={"data_owner": "partner", "crm_sharing": "always"},
            headers=back_office(),
        )
        await outbox_drained(database_url)
    assert (shared.status_code, kept.status_code) == (201, 201)
    assert never.json()["policy"] == {"data_owner": "partner", "crm_sharing": "never"}
    assert never.json()["policy_source"] == "shop"
    assert refused.status_code == 422
    assert refused.json()["fields"][0]["field"] == "crm_sharing"
    announced = await all_events(env, store.SHOPS, lambda e: getattr(e, "shop_id", None) == shop_id, expect=2)
    registered, changed = announced
    assert isinstance(registered, store.ShopRegistered)
    assert (registered.kind, registered.operator_id, registered.customer_data.crm_sharing) == (
        "partner_shop",
        operator_id,
        "with_consent",
    )
    assert isinstance(changed, store.CustomerDataPolicyChanged)
    assert changed.customer_data.crm_sharing == "never"
    found = await all_events(
        env, sales.TRANSACTIONS, lambda e: isinstance(e, sales.SaleRecorded) and e.location_id == shop_id, expect=2
    )
    by_txn = {e.pos_transaction_id: e.customer for e in found if isinstance(e, sales.SaleRecorded)}
    with_consent, under_never = by_txn["T-1"], by_txn["T-2"]
    assert with_consent is not None
    assert with_consent.personal is not None, "the customer agreed to partner sharing: sealed contact details go"
    assert with_consent.data_owner == "partner"
    assert under_never is not None
    assert (under_never.personal, under_never.subject_id) == (None, None), "the shop now never shares"
    assert under_never.consent is not None
    assert under_never.consent.partner_sharing is True


async def test_a_shop_registered_with_its_postal_code_and_opening_day_announces_both_and_shows_them(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    located, plain = unique("LYON"), unique("PLAIN")
    opens_on = datetime.now(UTC).date() + timedelta(days=14)
    async with running(runtime), api(app) as client:
        await shop(client, located, postal_code="69002", opens_on=opens_on.isoformat())
        await shop(client, plain)
        shown = await client.get(f"/shops/{located}", headers=back_office())
        shown_plain = await client.get(f"/shops/{plain}", headers=back_office())
        await outbox_drained(database_url)
    assert (shown.json()["postal_code"], shown.json()["opens_on"]) == ("69002", opens_on.isoformat())
    assert (shown_plain.json()["postal_code"], shown_plain.json()["opens_on"]) == (None, None)
    found = await all_events(
        env, store.SHOPS, lambda e: isinstance(e, store.ShopRegistered) and e.shop_id in (located, plain), expect=2
    )
    by_shop = {e.shop_id: e for e in found if isinstance(e, store.ShopRegistered)}
    assert (by_shop[located].postal_code, by_shop[located].opens_on) == ("69002", opens_on)
    assert (by_shop[plain].postal_code, by_shop[plain].opens_on) == (None, None), "both stay optional"


async def test_a_malformed_postal_code_or_opening_day_is_refused_naming_the_field_and_registers_nothing(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("BAD")
    body = {"shop_id": shop_id, "name": shop_id, "kind": "own_shop", "market": "FR", "timezone": "Europe/Paris"}
    bad = [
        {"postal_code": "75 001!"},
        {"postal_code": ""},
        {"postal_code": "1234567890ABCDEFG"},
        {"postal_code": " 75001"},
        {"opens_on": "2030-02-30"},
    ]
    async with running(runtime), api(app) as client:
        refused = [await client.post("/shops", json={**body, **fields}, headers=back_office()) for fields in bad]
        not_there = await client.get(f"/shops/{shop_id}", headers=back_office())
    assert [r.status_code for r in refused] == [422] * len(bad)
    assert [[f["field"] for f in r.json()["fields"]] for r in refused] == [list(fields) for fields in bad]
    assert not_there.status_code == 404


async def test_a_stock_count_goes_out_and_a_day_close_balances_only_once_the_whole_day_is_in(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("NYC")
    # 22:30 in New York is the next day in UTC: the close counts the shop's own calendar day.
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    late_evening = f"{day.isoformat()}T22:30:00"
    reported = {"sales": 2, "sales_amount": money(4000, "USD"), "refunds": money(0, "USD")}

    def sale(txn_id: str) -> dict[str, object]:
        body = accessory_sale(txn_id, late_evening, price=2000)
        for path in (body["lines"][0]["unit_price"], body["total"], body["payments"][0]["amount"]):
            path["currency"] = "USD"
        return body

    def close(txn_id: str) -> dict[str, object]:
        at = f"{day.isoformat()}T23:00:00"
        return {"client_txn_id": txn_id, "occurred_at": at, "business_date": day.isoformat(), "reported": reported}

    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id, market="US", timezone="America/New_York", tax_rate_bp=888)
        headers = bearer(key)
        count = {
            "client_txn_id": "C-1",
            "occurred_at": f"{day.isoformat()}T21:00:00",
            "accessories": [{"sku": "CHG-USB-C-20W", "counted": 4}],
        }
        counted = await client.post(f"/shops/{shop_id}/stock-counts", json=count, headers=headers)
        await client.post(f"/shops/{shop_id}/sales", json=sale("T-1"), headers=headers)
        early = await client.post(f"/shops/{shop_id}/day-closes", json=close("Z-1"), headers=headers)
        await client.post(f"/shops/{shop_id}/sales", json=sale("T-2"), headers=headers)  # the offline backlog lands
        complete = await client.post(f"/shops/{shop_id}/day-closes", json=close("Z-2"), headers=headers)
        await outbox_drained(database_url)
    assert [counted.status_code, early.status_code, complete.status_code] == [201, 201, 201]
    found = await all_events(env, store.SHOPS, lambda e: getattr(e, "shop_id", None) == shop_id, expect=4)
    [stock] = [e for e in found if isinstance(e, store.StockCounted)]
    assert [(a.sku, a.counted) for a in stock.accessories] == [("CHG-USB-C-20W", 4)]
    closes = {e.pos_transaction_id: e for e in found if isinstance(e, store.DayClosed)}
    assert closes["Z-1"].business_date == day
    assert (closes["Z-1"].recorded.sales, closes["Z-1"].balanced) == (1, False)
    assert (closes["Z-2"].recorded.sales, closes["Z-2"].balanced) == (2, True)
    tax = closes["Z-2"].recorded.sales_tax
    assert tax is not None
    assert tax.amount_minor == 2 * 163, "8.88 % sales tax inside 20.00 USD is 1.63, line by line"
