"""The reference data stock is kept against, learnt from other services' events: the catalog's SKUs
and the shops store-sync registers. Each test runs in memory and (marked) on the real stack."""

from __future__ import annotations

from datetime import UTC, datetime

from inventory.domain.locations import Location
from reloop_contracts import catalog, store
from services.inventory.tests.messaging import given
from services.inventory.tests.messaging.under_test import Inventory


def shop_registered(shop_id: str, kind: store.ShopKind = "partner_shop") -> store.ShopRegistered:
    return store.ShopRegistered(
        shop_id=shop_id,
        name="Orange Lyon Part-Dieu",
        kind=kind,
        market="FR",
        currency="EUR",
        timezone="Europe/Paris",
        operator_id="orange-fr",
        customer_data=store.CustomerDataPolicy(data_owner="partner", crm_sharing="with_consent"),
        registered_at=datetime.now(UTC),
    )


async def test_a_sku_the_catalog_lists_is_known_with_its_kind_and_grade(service: Inventory) -> None:
    sku = await given.listed(service, "refurbished_device", grade="excellent")
    async with service.unit_of_work() as uow:
        known = await uow.skus.get(sku)
    assert known is not None
    assert (known.kind, known.grade, known.product_id, known.discontinued) == (
        "refurbished_device",
        "excellent",
        f"p-{sku}",
        False,
    )


async def test_a_discontinued_sku_stays_known_and_is_marked_discontinued(service: Inventory) -> None:
    sku = await given.listed(service, "accessory")
    await service.deliver(
        catalog.SkuDiscontinued(sku=sku, reason="end of life", discontinued_at=datetime.now(UTC)), producer="catalog"
    )
    async with service.unit_of_work() as uow:
        known = await uow.skus.get(sku)
    assert known is not None
    assert (known.kind, known.discontinued) == ("accessory", True)


async def test_a_registered_shop_becomes_a_location_stock_can_be_kept_at(service: Inventory) -> None:
    shop = given.unique("partner")
    await service.deliver(shop_registered(shop), producer="store-sync")
    sku = await given.listed(service)
    unit_id = await given.available_unit(service, sku, shop)
    async with service.unit_of_work() as uow:
        location = await uow.locations.get(shop)
    assert location == Location(shop, "partner_shop", "FR", "Orange Lyon Part-Dieu")
    assert (await given.unit(service, unit_id)).location_id == shop
