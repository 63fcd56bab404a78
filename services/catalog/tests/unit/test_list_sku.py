"""Listing a sellable SKU of a product model, on the in-memory twin."""

from __future__ import annotations

import pytest

from catalog.domain import commands
from catalog.domain.errors import AlreadyExists, InvalidSku, NotFound
from catalog.service_layer import handlers
from reloop_contracts import catalog as contract
from reloop_shared.clock import FixedClock
from services.catalog.tests.builders import IPHONE, NOW, iphone_13, iphone_sku, listed_iphone
from services.catalog.tests.fakes import CatalogTwin


async def test_a_sku_of_a_known_product_is_stored_unpriced_and_announced() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    await listed_iphone(twin)
    stored = twin.tables.skus[IPHONE]
    assert (stored.product_id, stored.grade, stored.listed_at, stored.discontinued_at) == (
        "iphone-13",
        "excellent",
        NOW,
        None,
    )
    assert twin.tables.sku_prices == {}
    [listed] = twin.store.published(contract.SkuListed)
    assert (listed.sku, listed.product_id, listed.grade, listed.storage_gb, listed.listed_at) == (
        IPHONE,
        "iphone-13",
        "excellent",
        128,
        NOW,
    )


async def test_a_sku_of_an_unknown_product_is_refused_naming_the_product_and_nothing_is_stored() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    with pytest.raises(NotFound) as refused:
        await handlers.list_sku(iphone_sku(product_id="no-such-product"), twin.unit_of_work(), twin.clock)
    assert refused.value.field == "product_id"
    assert twin.tables.skus == {}
    assert twin.store.outbox == []


async def test_a_sku_listed_twice_is_refused_and_the_first_listing_stands() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    await listed_iphone(twin)
    accessory = commands.ListSku(IPHONE, "iphone-13", "accessory", "Case")
    with pytest.raises(AlreadyExists) as refused:
        await handlers.list_sku(accessory, twin.unit_of_work(), twin.clock)
    assert refused.value.field == "sku"
    assert twin.tables.skus[IPHONE].kind == "refurbished_device"
    assert len(twin.store.published(contract.SkuListed)) == 1


async def test_a_device_sku_without_a_grade_is_refused_and_nothing_is_stored() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    await handlers.publish_product(iphone_13(), twin.unit_of_work(), twin.clock)
    with pytest.raises(InvalidSku) as refused:
        await handlers.list_sku(iphone_sku(grade=None), twin.unit_of_work(), twin.clock)
    assert refused.value.field == "grade"
    assert twin.tables.skus == {}
    assert twin.store.published(contract.SkuListed) == []
