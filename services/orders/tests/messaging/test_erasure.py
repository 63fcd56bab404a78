"""Privacy's erasure requests (privacy.erasure.v1), consumed: the customer forgotten, their keys
destroyed, the erasure confirmed, and once only however often the request arrives."""

from __future__ import annotations

from orders.domain.customer import ContactDetails
from reloop_contracts.privacy import ErasureCompleted, ErasureRequested
from services.orders.tests.messaging.given import Orders, checked_out, order_of, placed, unique
from services.orders.tests.messaging.under_test import Storefront

ADA = ContactDetails("ada@example.org", name="Ada", marketing=True)


def _erasure(
    storefront: Storefront, *, customer_ids: list[str], subject_ids: list[str] | None = None
) -> ErasureRequested:
    return ErasureRequested(
        request_id=unique("req"),
        subject_ids=subject_ids or [],
        customer_ids=customer_ids,
        holders=["orders"],
        requested_at=storefront.clock.now(),
    )


async def _completed(service: Orders, request_id: str) -> list[ErasureCompleted]:
    return [c for c in await service.published(ErasureCompleted) if c.request_id == request_id]


async def test_an_erasure_request_is_applied_and_confirmed(service: Orders, storefront: Storefront) -> None:
    customer = unique("cust")
    bought = await checked_out(service, storefront, customer_id=customer)
    request = _erasure(storefront, customer_ids=[customer])
    await service.deliver(request, producer="privacy")

    [completed] = await _completed(service, request.request_id)
    # The cart's and the order's account ids pseudonymised.
    assert (completed.service, completed.records_erased) == ("orders", 2)
    order = await order_of(service, bought.order_id)
    assert order.customer_id.startswith("erased:")
    assert order.payment_token is None


async def test_erasing_a_customer_who_left_contact_details_destroys_their_key(
    service: Orders, storefront: Storefront
) -> None:
    bought = await placed(service, storefront, contact=ADA)
    contact = (await order_of(service, bought.order_id)).contact
    assert contact is not None
    request = _erasure(storefront, customer_ids=[], subject_ids=[contact.subject_id])
    await service.deliver(request, producer="privacy")

    [completed] = await _completed(service, request.request_id)
    # Cart and order pseudonymised, the sealed details and the account's subject dropped.
    assert completed.records_erased == 4
    assert "1 subject key(s) destroyed" in completed.detail
    order = await order_of(service, bought.order_id)
    assert (order.customer_id.startswith("erased:"), order.contact) == (True, None)
    # The subject's key is gone: nothing can be sealed (or opened) under it any more.
    assert await storefront.sealer.seal(contact.subject_id, {"email": "ada@example.org"}) is None


async def test_an_erasure_request_delivered_twice_is_confirmed_once(service: Orders, storefront: Storefront) -> None:
    customer = unique("cust")
    await checked_out(service, storefront, customer_id=customer)
    request = _erasure(storefront, customer_ids=[customer])
    await service.deliver(request, producer="privacy", copies=2)

    assert [c.records_erased for c in await _completed(service, request.request_id)] == [2]
