"""A shop polls its catalog, prices and availability cheaply: only what changed for it since its
cursor (or ETag), built from the catalog's and inventory's events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from reloop_contracts import NonNegativeMoney, catalog, inventory
from reloop_localstack.testing import api, eventually, publish, running
from services.store_sync.tests.support import bearer, settings, shop, unique
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected


def _availability(sku: str, counts: list[tuple[str, str, str, int]]) -> inventory.AvailabilityChanged:
    return inventory.AvailabilityChanged(
        sku=sku,
        kind="refurbished_device",
        total_available=sum(c[3] for c in counts),
        by_location=[
            inventory.LocationAvailability(location_id=loc, location_kind=kind, market=market, available=n)
            for loc, kind, market, n in counts
        ],
        as_of=datetime.now(UTC),
    )


async def test_a_shop_reads_what_changed_for_it_since_its_cursor_and_an_unchanged_feed_costs_a_304(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    shop_id, other_shop = unique("PAR"), unique("LYON")
    phone, marker = unique("IPH13"), unique("MARK")
    now = datetime.now(UTC)
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        headers = bearer(key)
        await publish(
            bootstrap,
            [
                catalog.SkuListed(
                    sku=phone,
                    product_id="p",
                    kind="refurbished_device",
                    title="iPhone 13",
                    grade="excellent",
                    listed_at=now,
                ),
                catalog.SkuPriced(
                    sku=phone, market="FR", price=NonNegativeMoney(amount_minor=45900, currency="EUR"), effective_at=now
                ),
                catalog.SkuPriced(
                    sku=phone,
                    market="FR",
                    price=NonNegativeMoney(amount_minor=42900, currency="EUR"),
                    effective_at=now + timedelta(days=1),
                ),
                catalog.SkuPriced(
                    sku=phone, market="US", price=NonNegativeMoney(amount_minor=49900, currency="USD"), effective_at=now
                ),
                _availability(
                    phone,
                    [
                        (shop_id, "own_shop", "FR", 2),
                        ("WH-PARIS-1", "warehouse", "FR", 5),
                        ("WH-NJ-1", "warehouse", "US", 9),
                        (other_shop, "own_shop", "FR", 1),
                    ],
                ),
            ],
            producer="catalog",
        )
        page: dict[str, object] = {}

        async def phone_in_feed() -> bool:
            nonlocal page
            response = await client.get(f"/shops/{shop_id}/feed", headers=headers)
            page = response.json()
            items = page["items"]
            assert isinstance(items, list)
            return any(i["sku"] == phone and i["available_here"] == 2 and i["next_price"] for i in items)

        await eventually(phone_in_feed, message="the feed shows the listed, priced and stocked SKU")
        [item] = [i for i in page["items"] if i["sku"] == phone]  # type: ignore[attr-defined]
        assert item["price"]["price"] == {"amount_minor": 45900, "currency": "EUR"}
        assert item["next_price"]["price"]["amount_minor"] == 42900
        assert (item["available_here"], item["available_from_warehouse"]) == (2, 5)
        unchanged = await client.get(
            f"/shops/{shop_id}/feed", headers={**headers, "If-None-Match": f'"{page["next_cursor"]}"'}
        )
        # Another shop sells one: nothing changed for this shop. A marker SKU tells when it was applied.
        await publish(
            bootstrap,
            [
                _availability(
                    phone,
                    [
                        (shop_id, "own_shop", "FR", 2),
                        ("WH-PARIS-1", "warehouse", "FR", 5),
                        ("WH-NJ-1", "warehouse", "US", 9),
                    ],
                ),
                catalog.SkuListed(sku=marker, product_id="m", kind="accessory", title="marker", listed_at=now),
            ],
            producer="inventory",
        )
        since = await _changes_after(client, shop_id, headers, int(page["next_cursor"]), marker)  # type: ignore[call-overload]
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == f'"{page["next_cursor"]}"'
    assert [i["sku"] for i in since] == [marker], "the other shop's sale is not news for this shop"


async def _changes_after(
    client: httpx.AsyncClient, shop_id: str, headers: dict[str, str], cursor: int, marker: str
) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []

    async def marker_arrived() -> bool:
        nonlocal items
        items = (await client.get(f"/shops/{shop_id}/feed", params={"cursor": cursor}, headers=headers)).json()["items"]
        return any(i["sku"] == marker for i in items)

    await eventually(marker_arrived, message="the marker SKU reached the feed")
    return items
