"""Erasure on the in-memory twin: account ids pseudonymised, sealed contact details, subjects,
idempotency records and keys dropped, and the erasure confirmed."""

from __future__ import annotations

from orders.domain import commands
from orders.domain.customer import ContactDetails
from orders.domain.rules import DEVICE
from orders.service_layer import checkout, erasure
from reloop_contracts.common import SealedPersonalData
from reloop_contracts.privacy import ErasureCompleted
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import PHONE, cart_with, checkout_of, placed, price_list

ADA = ContactDetails("ada@example.org", name="Ada", marketing=True)


async def test_erasing_a_customer_forgets_their_account_contact_details_subject_and_keys() -> None:
    twin = OrdersTwin()
    order = await placed(twin, contact=ADA)
    subject = twin.tables.subjects["cust-1"]
    sealed = twin.tables.orders[order.order_id].contact
    assert sealed is not None
    await price_list(twin)
    keyed = await cart_with(twin, (PHONE, DEVICE, 1))
    await checkout.checkout(checkout_of(keyed, key="k-1", contact=ADA), twin.uow(), twin.sealer, twin.clock)

    erased = await erasure.when_erasure_requested_forget_the_customer(
        commands.EraseCustomer("req-1", ("cust-1",)), twin.uow(), twin.sealer, twin.clock
    )

    # Two carts and two orders pseudonymised, their two sealed details and the subject mapping dropped.
    assert erased == 2 + 2 + 2 + 1
    assert {c.customer_id for c in twin.tables.carts.values()} == {o.customer_id for o in twin.tables.orders.values()}
    assert all(c.customer_id.startswith("erased:") for c in twin.tables.carts.values())
    assert all(o.contact is None and o.payment_token is None for o in twin.tables.orders.values())
    assert (twin.tables.subjects, twin.tables.checkout_requests) == ({}, {})
    unreadable = SealedPersonalData(
        key_id=sealed.sealed.key_id, nonce=sealed.sealed.nonce, ciphertext=sealed.sealed.ciphertext
    )
    assert await twin.personal_data.open(unreadable) is None
    [completed] = twin.store.published(ErasureCompleted)
    assert (completed.request_id, completed.service, completed.records_erased) == ("req-1", "orders", 7)
    assert "1 subject key(s) destroyed" in completed.detail
    assert subject not in str(twin.tables)


async def test_a_customer_named_only_by_their_data_subject_is_erased_too() -> None:
    twin = OrdersTwin()
    order = await placed(twin, contact=ADA)
    subject = twin.tables.subjects["cust-1"]
    await erasure.when_erasure_requested_forget_the_customer(
        commands.EraseCustomer("req-2", (), (subject,)), twin.uow(), twin.sealer, twin.clock
    )
    kept = twin.tables.orders[order.order_id]
    assert (kept.customer_id.startswith("erased:"), kept.contact) == (True, None)


async def test_erasing_someone_orders_never_knew_is_confirmed_with_nothing_erased() -> None:
    twin = OrdersTwin()
    await placed(twin)
    erased = await erasure.when_erasure_requested_forget_the_customer(
        commands.EraseCustomer("req-3", ("stranger",)), twin.uow(), twin.sealer, twin.clock
    )
    assert erased == 0
    [completed] = twin.store.published(ErasureCompleted)
    assert completed.records_erased == 0
    assert twin.tables.orders
    assert all(o.customer_id == "cust-1" for o in twin.tables.orders.values())
