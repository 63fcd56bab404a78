"""Kafka subscribers: contract event -> command -> handler, nothing else.

One consumer group, `repair`, reads the shops' drop-offs (a device left for repair opens a ticket;
trade-ins are not ours and are skipped) and the sales (the refurbished units reloop sold, for its
warranty; returns are skipped) and the catalog's SKUs and prices (`catalog.skus.v1`: what a device
resells for, beside which a repair may not be worth it). Each handler joins the consuming transaction, so the
processed-event record, the change and its events commit together; an event the rules refuse (an
IMEI that is none) goes to the dead-letter topic with the reason.

The subscription is generic over that transaction: the service binds it to a PostgreSQL
connection, the tests' twin to a memory transaction (`reloop_shared.memory_service`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, catalog, sales, store
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import Subscription
from repair.adapters import resale_price_translators, translators
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer import resale_prices
from repair.service_layer.intake import when_repair_dropped_off_open_a_ticket
from repair.service_layer.unit_of_work import RepairUnitOfWork
from repair.service_layer.warranty import when_device_sold_record_its_warranty

CONSUMER = "repair"
TOPICS = (store.DROP_OFFS, sales.TRANSACTIONS, catalog.SKUS)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def subscription(
    uow: Callable[[Tx], RepairUnitOfWork], clock: Clock, policy: WorkshopPolicy, *, max_attempts: int = 3
) -> Subscription[Tx]:
    async def on_drop_off(event: store.RepairDroppedOff, _: EnvelopeHeader, tx: Tx) -> None:
        await when_repair_dropped_off_open_a_ticket(translators.repair_drop_off(event), uow(tx), policy, clock)

    async def on_sale(event: sales.SaleRecorded, _: EnvelopeHeader, tx: Tx) -> None:
        await when_device_sold_record_its_warranty(translators.sold_devices(event), uow(tx))

    async def on_listed(event: catalog.SkuListed, _: EnvelopeHeader, tx: Tx) -> None:
        await resale_prices.when_sku_listed_keep_it(resale_price_translators.listing(event), uow(tx))

    async def on_priced(event: catalog.SkuPriced, _: EnvelopeHeader, tx: Tx) -> None:
        await resale_prices.when_sku_priced_follow_its_price(resale_price_translators.resale_price(event), uow(tx))

    async def on_discontinued(event: catalog.SkuDiscontinued, _: EnvelopeHeader, tx: Tx) -> None:
        command = resale_price_translators.discontinued(event)
        await resale_prices.when_sku_discontinued_stop_counting_it(command, uow(tx))

    return Subscription[Tx].per_event(
        CONSUMER,
        TOPICS,
        {
            store.RepairDroppedOff: on_drop_off,
            sales.SaleRecorded: on_sale,
            catalog.SkuListed: on_listed,
            catalog.SkuPriced: on_priced,
            catalog.SkuDiscontinued: on_discontinued,
        },
        max_attempts=max_attempts,
    )
