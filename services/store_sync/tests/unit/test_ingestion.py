"""Recording a till's upload on the twin: what is stored, what goes to the outbox, what is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import sales, store
from services.store_sync.tests.builders import (
    NOW,
    accessory_sale,
    device_return,
    eur,
    register_paris,
    register_partner,
    sale,
)
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.days import DayTotals
from store_sync.domain.errors import InvalidTransaction, NotFound
from store_sync.domain.journal import Outcome
from store_sync.domain.policy import Contact, TillCustomer
from store_sync.domain.transactions import DayClose, Transaction
from store_sync.service_layer import ingestion


async def _upload(twin: Twin, shop_id: str, *txns: Transaction) -> list[Outcome]:
    command = commands.IngestTransactions(shop_id, txns)
    return await ingestion.ingest(command, twin.uow(), twin.sealer, twin.clock)


async def test_a_sale_is_recorded_once_and_published_as_the_canonical_sale() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    [first] = await _upload(twin, shop_id, sale("T-1"))
    [again] = await _upload(twin, shop_id, sale("T-1"))
    assert (first.result, again.result) == ("recorded", "duplicate")
    [published] = twin.store.published(sales.SaleRecorded)
    assert (published.sale_id, published.channel, published.location_id) == (first.canonical_id, "own_shop", shop_id)
    assert published.total.amount_minor == 45900
    assert twin.tables.transactions[(shop_id, "T-1")].tax_minor == 7650


async def test_the_same_id_with_different_content_is_a_conflict_and_publishes_nothing_more() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await _upload(twin, shop_id, sale("T-1"))
    [changed] = await _upload(twin, shop_id, sale("T-1", price=100))
    assert changed.result == "conflict"
    assert len(twin.store.published(sales.SaleRecorded)) == 1


async def test_an_upload_breaking_a_rule_is_refused_whole_naming_the_transactions_field() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    in_the_future = sale("T-2", NOW + timedelta(hours=2))
    with pytest.raises(InvalidTransaction) as refused:
        await _upload(twin, shop_id, sale("T-1"), in_the_future)
    assert refused.value.field == "transactions.1.occurred_at"
    assert twin.tables.transactions == {}
    assert twin.store.published(sales.SaleRecorded) == []


async def test_an_upload_for_a_shop_not_registered_is_not_found() -> None:
    with pytest.raises(NotFound):
        await _upload(Twin(), "NOWHERE-1", sale("T-1"))


async def test_a_return_waits_for_its_sale_and_is_published_right_after_it() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    [waiting] = await _upload(twin, shop_id, device_return("R-1", "T-1", NOW))
    assert waiting.result == "waiting_for_sale"
    assert twin.store.published(sales.ReturnRecorded) == []
    await _upload(twin, shop_id, sale("T-1", NOW - timedelta(hours=1)))
    [returned] = twin.store.published(sales.ReturnRecorded)
    [sold] = twin.store.published(sales.SaleRecorded)
    assert returned.sale_id == sold.sale_id
    assert twin.tables.transactions[(shop_id, "R-1")].status == "recorded"
    assert [row.device.unit_id for row in twin.tables.collected.values()] == ["U-T-1"]


async def test_a_customers_contact_details_reach_crm_sealed_where_the_policy_allows() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    customer = TillCustomer("acct-1", Contact(email="ana@example.org"), marketing=True)
    await _upload(twin, shop_id, sale("T-1", customer=customer))
    [published] = twin.store.published(sales.SaleRecorded)
    assert published.customer is not None
    assert published.customer.customer_id == "acct-1"
    assert published.customer.personal is not None
    assert await twin.opened(published.customer.personal) == {"email": "ana@example.org"}


async def test_a_partner_customer_who_did_not_agree_leaves_the_shop_anonymous() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    customer = TillCustomer("acct-1", Contact(email="ana@example.org"), marketing=True)
    await _upload(twin, shop_id, sale("T-1", customer=customer))
    [published] = twin.store.published(sales.SaleRecorded)
    assert published.customer is not None
    assert (published.customer.customer_id, published.customer.personal) == (None, None)
    assert twin.keys.keys == {}, "nothing was sealed"


async def test_a_day_close_balances_when_the_tills_totals_match_what_was_recorded() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    morning = NOW - timedelta(hours=8)
    reported = DayTotals(2, eur(1990 + 799 * 3), 0, eur(0), sales_tax=eur(332 + 399))
    close = DayClose("Z-1", NOW, NOW.date(), reported)
    await _upload(twin, shop_id, accessory_sale("T-1", morning), accessory_sale("T-2", morning, price=799, quantity=3))
    await _upload(twin, shop_id, close)
    [closed] = twin.store.published(store.DayClosed)
    assert closed.recorded.sales == 2
    assert closed.recorded.sales_amount.amount_minor == 1990 + 2397
    assert closed.balanced, closed


async def test_a_day_close_sent_with_its_days_sales_counts_them() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    reported = DayTotals(1, eur(1990), 0, eur(0))
    await _upload(twin, shop_id, DayClose("Z-1", NOW, NOW.date(), reported), accessory_sale("T-1", NOW))
    [closed] = twin.store.published(store.DayClosed)
    assert (closed.recorded.sales, closed.balanced) == (1, True)
