"""The catalog's SKUs and inventory's availability, consumed into what the storefront shows."""

from __future__ import annotations

from datetime import timedelta

from orders.domain.rules import DEVICE
from reloop_contracts import NonNegativeMoney, catalog, inventory
from reloop_contracts.amounts import Money
from services.orders.tests.messaging.given import Orders, listing, price, shown, unique
from services.orders.tests.messaging.under_test import Storefront


async def test_the_catalogs_listing_and_price_reach_the_storefront(service: Orders, storefront: Storefront) -> None:
    phone = unique("IPH14")
    await service.deliver(listing(phone, DEVICE, storefront), price(phone, 52900, storefront), producer="catalog")

    sku = await shown(service, phone, storefront)
    assert (sku.kind, sku.title, sku.price, sku.discontinued) == (
        DEVICE,
        f"{phone} for tests",
        Money(52900, "EUR"),
        False,
    )


async def test_a_price_in_another_currency_than_the_markets_is_skipped_not_dead_lettered(
    service: Orders, storefront: Storefront
) -> None:
    phone = unique("IPH14")
    in_pounds = price(phone, 49900, storefront).model_copy(
        update={"price": NonNegativeMoney(amount_minor=49900, currency="GBP")}
    )
    await service.deliver(listing(phone, DEVICE, storefront), in_pounds, producer="catalog")

    assert (await shown(service, phone, storefront)).price is None
    assert [letter for letter in await service.dead_letters() if letter.key == phone.encode()] == []


async def test_a_discontinued_sku_is_shown_as_no_longer_sold(service: Orders, storefront: Storefront) -> None:
    phone = unique("IPH14")
    discontinued = catalog.SkuDiscontinued(sku=phone, reason="end of line", discontinued_at=storefront.clock.now())
    await service.deliver(
        listing(phone, DEVICE, storefront), price(phone, 52900, storefront), discontinued, producer="catalog"
    )

    assert (await shown(service, phone, storefront)).discontinued


def _availability(
    sku: str, hours_ago: int, storefront: Storefront, *by_location: tuple[str, str, int]
) -> inventory.AvailabilityChanged:
    """Inventory's snapshot of `sku` as of `hours_ago`: (location, market, available) per location."""
    return inventory.AvailabilityChanged(
        sku=sku,
        kind=DEVICE,
        total_available=sum(available for _, _, available in by_location),
        by_location=[
            inventory.LocationAvailability(
                location_id=location, location_kind="warehouse", market=market, available=available
            )
            for location, market, available in by_location
        ],
        as_of=storefront.clock.now() - timedelta(hours=hours_ago),
    )


async def test_availability_is_summed_per_market_and_an_older_snapshot_delivered_late_changes_nothing(
    service: Orders, storefront: Storefront
) -> None:
    phone = unique("IPH14")
    newer = _availability(phone, 1, storefront, ("WH-PAR", "FR", 3), ("SHOP-LYON-1", "FR", 1), ("WH-BER", "DE", 5))
    older = _availability(phone, 2, storefront, ("WH-PAR", "FR", 9))
    await service.deliver(listing(phone, DEVICE, storefront), producer="catalog")
    await service.deliver(newer, older, producer="inventory")

    assert (await shown(service, phone, storefront, "FR")).available == 4
    assert (await shown(service, phone, storefront, "DE")).available == 5
