"""The feeds shops poll, projected from the catalog's SKUs and prices and inventory's availability
as they arrive on the bus."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import catalog
from services.store_sync.tests.messaging.given import (
    WAREHOUSE,
    StoreSync,
    feed,
    feed_item,
    listed,
    own_shop,
    priced,
    stocked,
    unique,
)
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest


async def test_a_listed_priced_and_stocked_sku_reaches_the_shops_feed(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, other_shop, phone = await own_shop(under_test), unique("LYON"), unique("IPH13")
    now = under_test.clock.now()
    await service.deliver(
        listed(phone, now - timedelta(days=1)),
        priced(phone, 45900, now - timedelta(hours=1)),
        priced(phone, 42900, now + timedelta(days=1)),
        priced(phone, 49900, now - timedelta(hours=1), market="US"),
        producer="catalog",
    )
    await service.deliver(stocked(phone, now, **{shop_id: 2, WAREHOUSE: 5, other_shop: 1}), producer="inventory")
    item = await feed_item(under_test, shop_id, phone)
    assert (item.title, item.grade, item.discontinued) == ("iPhone 13", "excellent", False)
    assert item.price == (45900, "EUR", now - timedelta(hours=1)), "the French price, not the American one"
    assert item.next_price == (42900, "EUR", now + timedelta(days=1))
    assert (item.available_here, item.available_from_warehouse) == (2, 5)


async def test_another_shops_stock_change_is_no_news_for_this_shop(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, other_shop, phone = await own_shop(under_test), unique("LYON"), unique("IPH13")
    now = under_test.clock.now()
    await service.deliver(listed(phone, now), producer="catalog")
    await service.deliver(stocked(phone, now, **{shop_id: 2, WAREHOUSE: 5, other_shop: 1}), producer="inventory")
    seen = await feed(under_test, shop_id)
    await service.deliver(
        stocked(phone, now + timedelta(minutes=1), **{shop_id: 2, WAREHOUSE: 5}), producer="inventory"
    )
    since = await feed(under_test, shop_id, seen.next_cursor)
    assert (since.items, since.next_cursor) == ([], seen.next_cursor)


async def test_a_listing_sent_again_unchanged_moves_nothing_and_a_discontinued_sku_says_so(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, phone = await own_shop(under_test), unique("IPH13")
    now = under_test.clock.now()
    await service.deliver(listed(phone, now), producer="catalog")
    seen = await feed(under_test, shop_id)
    await service.deliver(listed(phone, now), producer="catalog")
    unchanged = await feed(under_test, shop_id, seen.next_cursor)
    await service.deliver(
        catalog.SkuDiscontinued(sku=phone, reason="end of life", discontinued_at=now), producer="catalog"
    )
    [gone] = (await feed(under_test, shop_id, seen.next_cursor)).items
    assert unchanged.items == [], "the same listing again is no change for the tills"
    assert (gone.sku, gone.discontinued) == (phone, True)


async def test_a_price_corrected_for_the_same_moment_is_the_last_one_published(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, phone = await own_shop(under_test), unique("IPH13")
    since = under_test.clock.now() - timedelta(hours=1)
    await service.deliver(
        listed(phone, since), priced(phone, 45900, since), priced(phone, 43900, since), producer="catalog"
    )
    item = await feed_item(under_test, shop_id, phone)
    assert item.price == (43900, "EUR", since), "one SKU's prices apply in the order they were published"


async def test_an_older_stock_picture_arriving_late_is_ignored_and_a_location_left_out_has_none(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, phone = await own_shop(under_test), unique("IPH13")
    now = under_test.clock.now()
    await service.deliver(listed(phone, now), producer="catalog")
    await service.deliver(
        stocked(phone, now + timedelta(minutes=10), **{shop_id: 2, WAREHOUSE: 5}),
        stocked(phone, now + timedelta(minutes=5), **{shop_id: 9, WAREHOUSE: 9}),
        producer="inventory",
    )
    late = await feed_item(under_test, shop_id, phone)
    await service.deliver(stocked(phone, now + timedelta(hours=1), **{WAREHOUSE: 4}), producer="inventory")
    latest = await feed_item(under_test, shop_id, phone)
    assert (late.available_here, late.available_from_warehouse) == (2, 5)
    assert (latest.available_here, latest.available_from_warehouse) == (0, 4)
