"""Contact details given at checkout travel with the online sale sealed under the account's own data
subject, with the consent given, and are never kept in clear."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest

from orders.bootstrap import build
from reloop_contracts import sales
from reloop_contracts.common import SealedPersonalData
from reloop_localstack.testing import TEST_KEKS, every_row, outbox_drained, running
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from services.orders.tests.support import (
    DEVICE,
    TOPICS,
    cart_with,
    check_out,
    confirm,
    first_event,
    list_and_price,
    order_in,
    reservation_requested,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def test_a_sale_with_contact_details_carries_them_sealed_with_the_consent_and_orders_keeps_none_in_clear(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault), registry=TOPICS)
    phone, account = unique("IPH13"), unique("acct")
    email = f"ada.{unique('x').lower()}@example.org"
    contact = {
        "email": email,
        "phone": "+33 6 98 76 54 32",
        "name": "Ada Lovelace-Byron",
        "delivery_postal_code": "SW1A 1AA",
        "consent": {"marketing": True},
    }
    async with running(runtime), shopper(app, account) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out(client, cart["cart_id"], contact=contact)
        request = await reservation_requested(env, order_id)
        await confirm(env, request, {cart["lines"][0]["line_id"]: unique("U")})
        order = await order_in(client, order_id, "placed")
        sale = await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id)
        await outbox_drained(database_url)
    everything = (await every_row(database_url)).lower()

    customer = sale.customer
    assert customer is not None
    assert customer.personal is not None
    assert (customer.customer_id, customer.data_owner) == (account, "reloop")
    assert customer.subject_id == customer.personal.key_id
    assert customer.subject_id is not None
    assert customer.subject_id.startswith("sub-")
    assert customer.consent is not None
    assert (customer.consent.marketing, customer.consent.partner_sharing) == (True, False)
    assert customer.consent.captured_by == "online"
    assert customer.consent.captured_at == datetime.fromisoformat(order["timestamps"]["created_at"])
    assert await _opened(keyvault, customer.personal) == {
        "email": email,
        "phone": "+33 6 98 76 54 32",
        "name": "Ada Lovelace-Byron",
        "delivery_postal_code": "SW1A 1AA",
    }
    for personal in (email, "98 76 54 32", "lovelace", "sw1a 1aa"):
        assert personal not in everything, f"orders keeps {personal!r} in clear"
    assert customer.personal.ciphertext.lower() in everything, "the order keeps the details sealed"


async def test_a_second_order_of_the_same_account_is_sealed_under_the_same_data_subject(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault), registry=TOPICS)
    phone, account, other = unique("IPH13"), unique("acct"), unique("acct")
    async with running(runtime), shopper(app, account) as client, shopper(app, other) as someone:
        await list_and_price(env, client, phone, DEVICE, 45900)
        first = await cart_with(client, (phone, DEVICE, 1))
        second = await cart_with(client, (phone, DEVICE, 1))
        someone_else = await cart_with(someone, (phone, DEVICE, 1))
        orders = [
            await check_out(client, first["cart_id"], contact={"email": "ada@example.org"}),
            await check_out(client, second["cart_id"], contact={"email": "ada.l@example.org", "name": "Ada"}),
            await check_out(someone, someone_else["cart_id"], contact={"email": "grace@example.org"}),
        ]
        async with runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT order_id, subject_id, sealed_contact::text AS sealed FROM orders WHERE order_id = ANY($1)",
                orders,
            )
            subjects = {r["customer_id"]: r["subject_id"] for r in await conn.fetch("SELECT * FROM customer_subjects")}
    by_order = {r["order_id"]: r for r in rows}
    sealed = [SealedPersonalData.model_validate_json(by_order[order_id]["sealed"]) for order_id in orders]

    assert by_order[orders[0]]["subject_id"] == by_order[orders[1]]["subject_id"] == subjects[account]
    assert by_order[orders[2]]["subject_id"] == subjects[other] != subjects[account]
    assert [await _opened(keyvault, s) for s in sealed] == [
        {"email": "ada@example.org"},
        {"email": "ada.l@example.org", "name": "Ada"},
        {"email": "grace@example.org"},
    ]


async def test_a_checkout_without_contact_details_names_only_the_account(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        cart = await cart_with(client, (phone, DEVICE, 1))
        order_id = await check_out(client, cart["cart_id"])
        request = await reservation_requested(env, order_id)
        await confirm(env, request, {cart["lines"][0]["line_id"]: unique("U")})
        sale = await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id)
        async with runtime.pool.acquire() as conn:
            subjects = await conn.fetchval("SELECT count(*) FROM customer_subjects")
    assert sale.customer is not None
    assert sale.customer.customer_id == cart["customer_id"]
    assert (sale.customer.subject_id, sale.customer.personal, sale.customer.consent) == (None, None, None)
    assert subjects == 0


async def _opened(keyvault: str, sealed: SealedPersonalData) -> dict[str, str] | None:
    keys = await PostgresKeyStore.connect(keyvault, TEST_KEKS)
    try:
        return await PersonalDataSealer(keys).open(sealed)
    finally:
        await keys.close()
