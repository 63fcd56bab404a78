"""Orders forgets a customer when asked: account ids pseudonymised, sealed contact details and the
data subject dropped, the subject's key destroyed, the confirmation published."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest

from orders.bootstrap import build
from reloop_contracts import Event, privacy, sales
from reloop_localstack.testing import TEST_KEKS, eventually, every_row, outbox_drained, publish, read_events, running
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


async def test_an_erasure_request_forgets_the_customer_destroys_their_key_and_is_confirmed(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault), registry=TOPICS)
    customer = f"acct-{uuid.uuid4().hex[:8]}"
    email = f"ada.{uuid.uuid4().hex[:8]}@example.org"
    request_id = f"erase-{uuid.uuid4().hex[:8]}"
    phone = unique("IPH13")
    keys = await PostgresKeyStore.connect(keyvault, TEST_KEKS)
    try:
        async with running(runtime), shopper(app, customer) as client:
            await list_and_price(env, client, phone, DEVICE, 45900)
            cart = await cart_with(client, (phone, DEVICE, 1))
            order_id = await check_out(client, cart["cart_id"], contact={"email": email, "name": "Ada"})
            request = await reservation_requested(env, order_id)
            await confirm(env, request, {cart["lines"][0]["line_id"]: unique("U")})
            await order_in(client, order_id, "placed")
            sale = await first_event(env, sales.TRANSACTIONS, sales.SaleRecorded, lambda e: e.sale_id == order_id)
            assert sale.customer is not None
            assert sale.customer.personal is not None
            assert sale.customer.subject_id is not None
            subject_id, sealed = sale.customer.subject_id, sale.customer.personal
            readable_before = await PersonalDataSealer(keys).open(sealed)
            await outbox_drained(database_url)

            await publish(
                env["KAFKA_BOOTSTRAP_SERVERS"],
                [
                    privacy.ErasureRequested(
                        request_id=request_id,
                        subject_ids=[subject_id, f"sub-of-a-shop-{uuid.uuid4().hex}"],
                        customer_ids=[customer],
                        holders=list(privacy.PERSONAL_DATA_HOLDERS),
                        requested_at=datetime.now(UTC),
                    )
                ],
                producer="crm",
                registry=TOPICS,
            )

            async def forgotten() -> bool:
                # The cart no longer names the account, so the account's token no longer finds it.
                return (await client.get(f"/carts/{cart['cart_id']}")).status_code == 404

            await eventually(forgotten, message="the cart no longer names the customer")

            def confirmation(event: Event) -> bool:
                return isinstance(event, privacy.ErasureCompleted) and event.request_id == request_id

            confirmed = await read_events(
                env["KAFKA_BOOTSTRAP_SERVERS"], TOPICS.same_topic(privacy.ERASURE).name, confirmation, expect=1
            )
            order_seen = await client.get(f"/orders/{order_id}")
            async with runtime.pool.acquire() as conn:
                subjects_left = await conn.fetchval("SELECT count(*) FROM customer_subjects")
                order_customer = await conn.fetchval("SELECT customer_id FROM orders WHERE order_id = $1", order_id)
        keys.forget_cached(subject_id)
        readable_after = await PersonalDataSealer(keys).open(sealed)
    finally:
        await keys.close()
    everything = (await every_row(database_url)).lower()

    assert readable_before == {"email": email, "name": "Ada"}
    assert len(confirmed) == 1
    assert isinstance(confirmed[0], privacy.ErasureCompleted)
    assert confirmed[0].service == "orders"
    # The cart's and the order's account id, the order's sealed contact details, the subject mapping.
    assert confirmed[0].records_erased == 4
    assert "1 subject key(s) destroyed" in confirmed[0].detail
    assert readable_after is None, "the sale already on the topic can no longer be opened"
    assert order_seen.status_code == 404, "the order is no longer the account's"
    assert order_customer.startswith("erased:")
    assert subjects_left == 0
    for personal in (customer, email, subject_id, sealed.ciphertext):
        assert personal.lower() not in everything, f"orders still holds {personal!r}"
