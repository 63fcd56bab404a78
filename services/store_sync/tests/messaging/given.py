"""Steps that bring store-sync under test to a state, and read it back, the same way in memory and on
the real stack: the catalog's, inventory's and CRM's events as they would publish them, a shop
registered and its till's uploads through the service's own handlers and unit of work. Every id is
new: on the real stack, topics last the whole session.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from reloop_contracts import Event, NonNegativeMoney, catalog, inventory, privacy
from reloop_contracts.common import ItemKind
from reloop_shared.memory_service import ServiceUnderTest
from reloop_shared.outbox.writer import OutboxRow, OutboxWriter
from services.store_sync.tests.builders import sale
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest
from store_sync.domain import commands
from store_sync.domain.policy import Contact, TillCustomer
from store_sync.domain.transactions import Device, RepairDropOff
from store_sync.service_layer import ingestion, projections, registry
from store_sync.service_layer.ports import FeedItem
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

StoreSync = ServiceUnderTest[StoreSyncUnitOfWork]
WAREHOUSE = "WH-PARIS-1"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


# --- other services' events ----------------------------------------------------------------------


def listed(
    sku: str, at: datetime, *, title: str = "iPhone 13", kind: ItemKind = "refurbished_device"
) -> catalog.SkuListed:
    return catalog.SkuListed(
        sku=sku, product_id=f"product-{sku}", kind=kind, title=title, grade="excellent", listed_at=at
    )


def priced(sku: str, amount_minor: int, effective_at: datetime, *, market: str = "FR") -> catalog.SkuPriced:
    currency = "USD" if market == "US" else "EUR"
    return catalog.SkuPriced(
        sku=sku,
        market=market,
        price=NonNegativeMoney(amount_minor=amount_minor, currency=currency),
        effective_at=effective_at,
    )


def stocked(sku: str, as_of: datetime, **by_location: int) -> inventory.AvailabilityChanged:
    """Inventory's picture of a SKU: `shop_id=n` for a shop of France, `WAREHOUSE` for its warehouse."""
    counts = [
        inventory.LocationAvailability(
            location_id=location,
            location_kind="warehouse" if location == WAREHOUSE else "own_shop",
            market="FR",
            available=n,
        )
        for location, n in by_location.items()
    ]
    return inventory.AvailabilityChanged(
        sku=sku,
        kind="refurbished_device",
        total_available=sum(by_location.values()),
        by_location=counts,
        as_of=as_of,
    )


def erasure_requested(
    subject_ids: list[str], customer_ids: list[str], at: datetime, *, holders: tuple[str, ...] = ("crm", "store-sync")
) -> privacy.ErasureRequested:
    return privacy.ErasureRequested(
        request_id=str(uuid.uuid4()),
        subject_ids=subject_ids,
        customer_ids=customer_ids,
        holders=list(holders),
        requested_at=at,
    )


def encoded(under_test: StoreSyncUnderTest, event: Event, producer: str) -> OutboxRow:
    """The record a producer's outbox would publish for `event`."""
    [row] = OutboxWriter(producer, under_test.registry).rows([event])
    return row


def malformed(row: OutboxRow, **payload: object) -> OutboxRow:
    """The same record with its payload changed as a faulty producer would (no schema check)."""
    value = json.loads(row.value)
    value["payload"].update(payload)
    return row._replace(value=json.dumps(value).encode())


# --- the service's own side ----------------------------------------------------------------------


async def own_shop(under_test: StoreSyncUnderTest) -> str:
    """Register an own shop in France, as the back office would; returns its id."""
    command = commands.RegisterShop(unique("PAR"), "Paris Rivoli", "own_shop", "FR", "Europe/Paris")
    shop, _ = await registry.register_shop(command, under_test.service.unit_of_work(), under_test.clock)
    return shop.shop_id


async def sold_to(under_test: StoreSyncUnderTest, shop_id: str, account_id: str, email: str) -> str:
    """The shop's till records a sale to a customer who showed their account and agreed to hear
    from reloop; returns the sale's client transaction id."""
    txn_id = unique("T")
    customer = TillCustomer(account_id, Contact(email=email), marketing=True)
    upload = commands.IngestTransactions(shop_id, (sale(txn_id, under_test.clock.now(), customer=customer),))
    await ingestion.ingest(upload, under_test.service.unit_of_work(), under_test.sealer, under_test.clock)
    return txn_id


async def left_for_repair(under_test: StoreSyncUnderTest, shop_id: str, account_id: str, email: str) -> str:
    """A customer who showed their account and agreed to hear from reloop leaves a device at the
    shop for repair; returns the drop-off's client transaction id."""
    txn_id = unique("REP")
    customer = TillCustomer(account_id, Contact(email=email), marketing=True)
    repair = RepairDropOff(
        txn_id, under_test.clock.now(), Device("serial", unique("C02")), "battery swells", None, customer
    )
    upload = commands.IngestTransactions(shop_id, (repair,))
    await ingestion.ingest(upload, under_test.service.unit_of_work(), under_test.sealer, under_test.clock)
    return txn_id


async def feed(under_test: StoreSyncUnderTest, shop_id: str, cursor: int = 0) -> projections.FeedPage:
    """What the shop's till would read from its feed after `cursor`."""
    return await projections.feed_page(shop_id, cursor, 100, under_test.service.unit_of_work(), under_test.clock)


async def feed_item(under_test: StoreSyncUnderTest, shop_id: str, sku: str) -> FeedItem:
    [item] = [i for i in (await feed(under_test, shop_id)).items if i.sku == sku]
    return item
