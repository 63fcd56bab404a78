"""A customer's erasure, requested by CRM: store-sync forgets who they were (every sealed copy on the
bus unreadable, the account id dropped) and confirms when it is asked to."""

from __future__ import annotations

from reloop_contracts import privacy, sales, store
from services.store_sync.tests.messaging.given import (
    StoreSync,
    erasure_requested,
    left_for_repair,
    own_shop,
    sold_to,
    unique,
)
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest


async def _sale_of(service: StoreSync, txn_id: str) -> sales.SaleRecorded:
    [sold] = [s for s in await service.published(sales.SaleRecorded) if s.pos_transaction_id == txn_id]
    return sold


async def _completions(service: StoreSync, request: privacy.ErasureRequested) -> list[privacy.ErasureCompleted]:
    return [e for e in await service.published(privacy.ErasureCompleted) if e.request_id == request.request_id]


async def test_an_erasure_request_forgets_the_customer_and_is_confirmed(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    account = unique("acct")
    txn_id = await left_for_repair(under_test, await own_shop(under_test), account, "ana@example.org")
    [left] = [e for e in await service.published(store.RepairDroppedOff) if e.pos_transaction_id == txn_id]
    assert left.customer is not None
    assert left.customer.subject_id is not None
    assert left.customer.personal is not None
    readable_before = await under_test.opened(left.customer.personal)
    request = erasure_requested([left.customer.subject_id], [account], under_test.clock.now())
    await service.deliver(request, producer="crm")
    again_by_account = erasure_requested([], [account], under_test.clock.now())
    await service.deliver(again_by_account, producer="crm")
    [done] = await _completions(service, request)
    [again] = await _completions(service, again_by_account)
    assert readable_before == {"email": "ana@example.org"}
    assert await under_test.opened(left.customer.personal) is None, "the subject's key is destroyed"
    assert (done.service, done.records_erased) == ("store-sync", 1)
    assert again.records_erased == 0, "the account id is dropped: asked again by it, nothing is found"


async def test_an_erasure_store_sync_is_not_asked_to_confirm_is_applied_without_an_answer(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    account = unique("acct")
    txn_id = await sold_to(under_test, await own_shop(under_test), account, "bo@example.org")
    sold = await _sale_of(service, txn_id)
    assert sold.customer is not None
    assert sold.customer.personal is not None
    request = erasure_requested([sold.customer.subject_id or ""], [account], under_test.clock.now(), holders=("crm",))
    await service.deliver(request, producer="crm")
    assert await _completions(service, request) == []
    assert await under_test.opened(sold.customer.personal) is None
