"""Checkout on the in-memory twin: the order and its hold request in one transaction, an
Idempotency-Key replayed or refused, and contact details sealed under the account's data subject."""

from __future__ import annotations

import dataclasses

import pytest

from orders.domain import commands
from orders.domain.customer import ContactDetails
from orders.domain.errors import CustomerErased, IdempotencyKeyReused, InvalidCheckout, NotFound, WrongState
from orders.domain.lines import OrderStatus
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import checkout
from reloop_contracts import inventory
from reloop_contracts.common import SealedPersonalData
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import (
    CHARGER,
    PHONE,
    cart_with,
    checked_out,
    checkout_of,
    price_list,
)

ADA = ContactDetails("ada@example.org", "+33 6 12 34 56 78", "Ada", marketing=True)


async def test_a_checkout_creates_the_order_at_todays_prices_and_asks_inventory_to_hold_it() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)

    kept = twin.tables.orders[order.order_id]
    assert (kept.status, kept.reservation_id, kept.payment_token) == (OrderStatus.RESERVING, order.order_id, "tok_visa")
    assert kept.total.amount_minor == 45900 + 2 * 1990
    assert twin.tables.carts[kept.cart_id].order_id == order.order_id
    [requested] = twin.store.published(inventory.ReservationRequested)
    assert (requested.reservation_id, requested.channel, requested.market) == (order.order_id, "online", "FR")
    assert [(line.sku, line.quantity) for line in requested.lines] == [(PHONE, 1), (CHARGER, 2)]


async def test_checking_out_again_with_the_same_key_and_request_answers_with_the_same_order() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    first = await checkout.checkout(checkout_of(cart, key="k-1"), twin.uow(), twin.sealer, twin.clock)
    again = await checkout.checkout(checkout_of(cart, key="k-1"), twin.uow(), twin.sealer, twin.clock)

    assert (first.replayed, again.replayed) == (False, True)
    assert again.order.order_id == first.order.order_id
    assert len(twin.tables.orders) == 1
    assert len(twin.store.published(inventory.ReservationRequested)) == 1


async def test_the_same_key_for_a_different_request_is_refused_naming_the_key() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    await checkout.checkout(checkout_of(cart, key="k-1"), twin.uow(), twin.sealer, twin.clock)
    with pytest.raises(IdempotencyKeyReused) as reused:
        await checkout.checkout(checkout_of(cart, "tok_other", key="k-1"), twin.uow(), twin.sealer, twin.clock)

    assert reused.value.field == "Idempotency-Key"
    assert len(twin.tables.orders) == 1


async def test_a_key_taken_by_another_cart_meanwhile_is_refused_and_nothing_of_the_checkout_is_kept() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    first, second = await cart_with(twin, (PHONE, DEVICE, 1)), await cart_with(twin, (CHARGER, ACCESSORY, 1))
    await checkout.checkout(checkout_of(first, key="k-1"), twin.uow(), twin.sealer, twin.clock)
    with pytest.raises(IdempotencyKeyReused):
        await checkout.checkout(checkout_of(second, key="k-1"), twin.uow(), twin.sealer, twin.clock)

    assert twin.tables.carts[second.cart_id].order_id is None
    assert len(twin.tables.orders) == 1
    assert len(twin.store.published(inventory.ReservationRequested)) == 1


async def test_a_cart_is_checked_out_once() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    cart = twin.tables.carts[order.cart_id]
    with pytest.raises(WrongState) as twice:
        await checkout.checkout(checkout_of(cart), twin.uow(), twin.sealer, twin.clock)
    assert twice.value.field == "cart_id"
    assert len(twin.tables.orders) == 1


async def test_checking_out_a_cart_that_does_not_exist_is_not_found() -> None:
    twin = OrdersTwin()
    with pytest.raises(NotFound):
        await checkout.checkout(
            commands.Checkout("no-such-cart", "cust-1", "ship", None, "card", "tok_visa"),
            twin.uow(),
            twin.sealer,
            twin.clock,
        )


async def test_a_refused_checkout_keeps_nothing_and_mints_no_data_subject() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    collect_nowhere = dataclasses.replace(checkout_of(cart, contact=ADA), fulfilment="click_and_collect")
    with pytest.raises(InvalidCheckout) as refused:
        await checkout.checkout(collect_nowhere, twin.uow(), twin.sealer, twin.clock)

    assert refused.value.field == "pickup_location_id"
    assert (twin.tables.orders, twin.tables.subjects, twin.store.outbox) == ({}, {}, [])
    assert twin.tables.carts[cart.cart_id].order_id is None


async def test_contact_details_are_sealed_under_the_accounts_subject_which_later_checkouts_reuse() -> None:
    twin = OrdersTwin()
    first = await checked_out(twin, contact=ADA)
    second = await checked_out(twin, contact=dataclasses.replace(ADA, marketing=None))

    subject = twin.tables.subjects["cust-1"]
    kept_first, kept_second = twin.tables.orders[first.order_id], twin.tables.orders[second.order_id]
    assert kept_first.contact is not None
    assert kept_second.contact is not None
    assert (kept_first.contact.subject_id, kept_second.contact.subject_id) == (subject, subject)
    assert kept_first.contact.consent is not None
    assert kept_first.contact.consent.marketing is True
    assert kept_second.contact.consent is None  # not asked: a consent given elsewhere stands
    sealed = kept_first.contact.sealed
    opened = await twin.personal_data.open(
        SealedPersonalData(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
    )
    assert opened == {"email": "ada@example.org", "phone": "+33 6 12 34 56 78", "name": "Ada"}


async def test_a_checkout_with_contact_details_while_the_customer_is_being_erased_is_refused() -> None:
    twin = OrdersTwin()
    await price_list(twin)
    twin.tables.subjects["cust-1"] = "sub-erased"
    await twin.keys.destroy("sub-erased")
    cart = await cart_with(twin, (PHONE, DEVICE, 1))
    with pytest.raises(CustomerErased) as refused:
        await checkout.checkout(checkout_of(cart, contact=ADA), twin.uow(), twin.sealer, twin.clock)

    assert refused.value.field == "contact"
    assert (twin.tables.orders, twin.store.outbox) == ({}, [])
