"""Publishing a product model, on the in-memory twin."""

from __future__ import annotations

from datetime import timedelta

from catalog.domain import commands
from catalog.service_layer import handlers
from reloop_contracts import catalog as contract
from reloop_shared.clock import FixedClock
from services.catalog.tests.builders import NOW, iphone_13
from services.catalog.tests.fakes import CatalogTwin


async def test_a_published_product_is_stored_and_announced() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    await handlers.publish_product(iphone_13(), twin.unit_of_work(), twin.clock)
    stored = twin.tables.products["iphone-13"]
    assert (stored.brand, stored.model, stored.attributes, stored.published_at) == (
        "Apple",
        "iPhone 13",
        {"chip": "A15"},
        NOW,
    )
    [published] = twin.store.published(contract.ProductPublished)
    assert (published.product_id, published.category, published.published_at) == ("iphone-13", "smartphone", NOW)
    assert twin.store.outbox[0].key == "iphone-13"


async def test_publishing_a_known_product_again_replaces_its_description_and_announces_it_again() -> None:
    clock = FixedClock(NOW)
    twin = CatalogTwin(clock)
    await handlers.publish_product(iphone_13(), twin.unit_of_work(), clock)
    clock.advance(timedelta(days=1))
    renamed = commands.PublishProduct("iphone-13", "Apple", "iPhone 13 (2021)", "smartphone", {})
    await handlers.publish_product(renamed, twin.unit_of_work(), clock)
    stored = twin.tables.products["iphone-13"]
    assert (stored.model, stored.attributes, stored.published_at) == ("iPhone 13 (2021)", {}, clock.now())
    assert [e.model for e in twin.store.published(contract.ProductPublished)] == ["iPhone 13", "iPhone 13 (2021)"]
