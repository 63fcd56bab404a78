"""The catalog's prices on `catalog.skus.v1` reach repair's projection, in repair's one consumer
group beside its other topics, and value a device at diagnosis."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import repair as contract
from reloop_contracts.amounts import Money
from repair.domain import commands
from repair.domain.resale_values import CatalogSku, ResalePrice
from repair.service_layer import diagnosis
from repair.service_layer.intake import drop_off_ticket_id
from services.repair.tests.builders import repair_drop_off, unique
from services.repair.tests.catalog_builders import discontinued, listed, priced
from services.repair.tests.messaging.under_test import RepairUnderTest


async def test_a_sku_priced_on_the_broker_reaches_the_projection_once_whatever_copies_arrive(
    under_test: RepairUnderTest,
) -> None:
    service, now = under_test.service, under_test.clock.now()
    sku, family = unique("IP13-128-BLK").upper(), unique("iphone-13")
    await service.deliver(listed(sku, family, now - timedelta(days=1)), producer="catalog")
    await service.deliver(priced(sku, 41_000, now), producer="catalog", copies=2)
    async with service.unit_of_work() as uow:
        kept = await uow.resale_prices.price_of(sku, "FR")
    assert kept == (CatalogSku(sku, family, 128, "very_good"), ResalePrice(sku, "FR", Money(41_000, "EUR"), now))


async def test_a_shop_drop_off_of_a_model_the_catalog_prices_is_offered_a_trade_in_when_not_worth_repairing(
    under_test: RepairUnderTest,
) -> None:
    service, now = under_test.service, under_test.clock.now()
    event = repair_drop_off(now)
    scanned = event.device.sku  # the till scanned the device's SKU: the ticket's model
    assert scanned is not None
    family, cheaper = unique("iphone-13"), unique("IP13-64-RED").upper()
    before = now - timedelta(days=1)
    await service.deliver(
        listed(scanned, family, before),
        priced(scanned, 40_000, before),
        listed(cheaper, family, before),
        priced(cheaper, 20_000, before),
        discontinued(cheaper, now),  # no longer sold: the family's lowest is the scanned SKU's again
        producer="catalog",
    )
    await service.deliver(event, producer="store-sync")
    ticket_id = drop_off_ticket_id(event.drop_off_id)
    command = commands.DiagnoseDevice(ticket_id, ("board dead",), (), Money(30_000, "EUR"), True, None, "tech-1")
    await diagnosis.diagnose_device(command, service.unit_of_work(), under_test.policy, under_test.clock)
    suggested = [e for e in await service.published(contract.TradeInSuggested) if e.ticket_id == ticket_id]
    assert [(e.repair_estimate.amount_minor, e.resale_value.amount_minor) for e in suggested] == [(30_000, 40_000)]
