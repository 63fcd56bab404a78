"""The resale value of a device in the workshop, decided from the catalog's prices (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from reloop_contracts.amounts import Money
from repair.domain.resale_values import (
    CatalogSku,
    ResalePrice,
    ResaleValue,
    SkuOnSale,
    listing_of,
    model_keys,
    resale_value,
    supersedes,
)

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SOLD = SkuOnSale("IP13-128-BLK-VG", "iphone-13", False, Money(42_000, "EUR"))
CHEAPER_COLOUR = SkuOnSale("IP13-128-RED-G", "iphone-13", False, Money(36_000, "EUR"))
DEARER_STORAGE = SkuOnSale("IP13-256-BLK-VG", "iphone-13", False, Money(48_000, "EUR"))
OTHER_MODEL = SkuOnSale("IP12-64-BLK-G", "iphone-12", False, Money(21_000, "EUR"))
FAMILY = (SOLD, CHEAPER_COLOUR, DEARER_STORAGE, OTHER_MODEL)


def _value(
    *on_sale: SkuOnSale, sold_sku: str | None = None, model: str = "iphone-13", workshop: Money | None = None
) -> ResaleValue | None:
    return resale_value(workshop=workshop, currency="EUR", sold_sku=sold_sku, models=[model], on_sale=on_sale)


def test_a_device_reloop_sold_is_worth_its_skus_current_price_in_the_market() -> None:
    assert _value(*FAMILY, sold_sku=SOLD.sku) == ResaleValue(Money(42_000, "EUR"), "catalog_sku")


def test_a_device_not_bought_from_us_is_worth_the_lowest_price_of_its_model_family() -> None:
    assert _value(*FAMILY) == ResaleValue(Money(36_000, "EUR"), "catalog_model")


def test_a_model_the_customer_typed_is_matched_to_the_catalogs_product_id() -> None:
    assert _value(*FAMILY, model="iPhone 13") == ResaleValue(Money(36_000, "EUR"), "catalog_model")
    assert model_keys("iPhone 13") == ("iPhone 13", "iphone-13")


def test_a_sku_a_shops_till_scanned_as_the_model_names_its_family() -> None:
    assert _value(*FAMILY, model=DEARER_STORAGE.sku) == ResaleValue(Money(36_000, "EUR"), "catalog_model")


def test_a_sold_unit_whose_sku_is_discontinued_falls_back_to_its_familys_lowest_price_still_sold() -> None:
    discontinued = SkuOnSale(SOLD.sku, SOLD.model_family, True, SOLD.price)
    cheapest_gone = SkuOnSale(CHEAPER_COLOUR.sku, CHEAPER_COLOUR.model_family, True, CHEAPER_COLOUR.price)
    value = _value(discontinued, cheapest_gone, DEARER_STORAGE, sold_sku=SOLD.sku, model="unknown")
    assert value == ResaleValue(Money(48_000, "EUR"), "catalog_model")


def test_a_discontinued_sku_is_not_the_lowest_price_of_its_family() -> None:
    gone = SkuOnSale("IP13-64-BLK-F", "iphone-13", True, Money(9_000, "EUR"))
    assert _value(gone, *FAMILY) == ResaleValue(Money(36_000, "EUR"), "catalog_model")


def test_the_workshops_value_wins_over_the_catalogs() -> None:
    given = Money(30_000, "EUR")
    assert _value(*FAMILY, sold_sku=SOLD.sku, workshop=given) == ResaleValue(given, "workshop")


def test_no_price_in_the_market_gives_no_resale_value() -> None:
    not_priced_here = SkuOnSale(SOLD.sku, SOLD.model_family, False, None)
    assert _value(not_priced_here, sold_sku=SOLD.sku) is None
    assert _value(OTHER_MODEL) is None
    assert _value(*FAMILY, model="galaxy-s21") is None


def test_a_price_in_another_currency_than_the_estimates_does_not_count() -> None:
    in_francs = SkuOnSale(SOLD.sku, SOLD.model_family, False, Money(40_000, "CHF"))
    assert _value(in_francs, DEARER_STORAGE, sold_sku=SOLD.sku) == ResaleValue(Money(48_000, "EUR"), "catalog_model")


def test_only_refurbished_devices_are_kept_from_the_catalog() -> None:
    assert listing_of("CHARGER-20W", "charger-20w", "accessory", None, None) is None
    kept = listing_of("IP13-128-BLK-VG", "iphone-13", "refurbished_device", 128, "very_good")
    assert kept == CatalogSku("IP13-128-BLK-VG", "iphone-13", 128, "very_good")


def test_only_a_later_price_replaces_the_one_kept() -> None:
    kept = ResalePrice("IP13-128-BLK-VG", "FR", Money(42_000, "EUR"), AT)
    assert supersedes(ResalePrice(kept.sku, "FR", Money(40_000, "EUR"), AT + timedelta(days=1)), kept)
    assert not supersedes(ResalePrice(kept.sku, "FR", Money(45_000, "EUR"), AT - timedelta(days=1)), kept)
    assert supersedes(kept, None)
