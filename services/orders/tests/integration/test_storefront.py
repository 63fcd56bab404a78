"""The storefront's projections: the catalog's prices and inventory's availability per market."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orders.bootstrap import build
from reloop_contracts import NonNegativeMoney, catalog, inventory
from reloop_localstack.testing import eventually, running
from services.orders.tests.support import ACCESSORY, DEVICE, TOPICS, list_and_price, publish, settings, shopper, unique

pytestmark = pytest.mark.connected


async def test_the_storefront_shows_inventory_availability_per_market_and_refuses_a_discontinued_sku(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    phone = unique("IPH13")
    async with running(runtime), shopper(app) as client:
        await list_and_price(env, client, phone, DEVICE, 45900)
        changed = inventory.AvailabilityChanged(
            sku=phone,
            kind="refurbished_device",
            total_available=5,
            by_location=[
                inventory.LocationAvailability(location_id="WH-1", location_kind="warehouse", market="FR", available=2),
                inventory.LocationAvailability(
                    location_id="SHOP-1", location_kind="own_shop", market="FR", available=1
                ),
                inventory.LocationAvailability(
                    location_id="WH-DE", location_kind="warehouse", market="DE", available=2
                ),
            ],
            as_of=datetime.now(UTC),
        )
        await publish(env, inventory.AVAILABILITY, changed, producer="inventory")

        async def available_in_france() -> bool:
            return bool((await client.get(f"/storefront/FR/skus/{phone}")).json()["available"] == 3)

        await eventually(available_in_france, message="the storefront shows availability")
        cart = (await client.post("/carts", json={"market": "FR"})).json()
        await publish(
            env,
            catalog.SKUS,
            catalog.SkuDiscontinued(sku=phone, reason="end of life", discontinued_at=datetime.now(UTC)),
            producer="catalog",
        )

        async def discontinued() -> bool:
            return bool((await client.get(f"/storefront/FR/skus/{phone}")).json()["discontinued"])

        await eventually(discontinued, message="the storefront shows the SKU discontinued")
        refused = await client.post(
            f"/carts/{cart['cart_id']}/lines", json={"sku": phone, "kind": DEVICE, "quantity": 1}
        )

    assert refused.status_code == 422
    assert refused.json()["field"] == "sku"


async def test_a_price_in_another_currency_than_the_market_never_reaches_the_price_list(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    charger = unique("CHG")
    now = datetime.now(UTC)
    async with running(runtime), shopper(app) as client:
        wrong = catalog.SkuPriced(
            sku=charger, market="FR", price=NonNegativeMoney(amount_minor=1, currency="GBP"), effective_at=now
        )
        await publish(env, catalog.SKUS, wrong, producer="catalog")
        # Listed and priced after it on the same key: once this shows, the wrong price was consumed.
        await list_and_price(env, client, charger, ACCESSORY, 1990)
        shown = (await client.get(f"/storefront/FR/skus/{charger}")).json()

    assert shown["price"] == {"amount_minor": 1990, "currency": "EUR"}
