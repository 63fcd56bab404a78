"""The catalog's pricing rules, on plain objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain import events
from catalog.domain.errors import Discontinued, InvalidPrice, InvalidSku
from catalog.domain.model import Product, Sku

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _iphone() -> Sku:
    product = Product.publish("iphone-13", "Apple", "iPhone 13", "smartphone", {}, NOW)
    return Sku.list(
        "IPH13-128-BLK-EX", product, "refurbished_device", "iPhone 13 128GB", "excellent", 128, "black", NOW
    )


def test_a_sku_priced_in_its_market_currency_records_the_price() -> None:
    sku = _iphone()
    sku.set_price("FR", 45900, "EUR", NOW)
    priced = sku.recorder.events[-1]
    assert isinstance(priced, events.SkuPriced)
    assert (priced.market, priced.amount_minor, priced.currency, priced.previous) == ("FR", 45900, "EUR", None)


def test_a_reprice_remembers_the_previous_price() -> None:
    sku = _iphone()
    sku.set_price("US", 49900, "USD", NOW)
    sku.set_price("US", 47900, "USD", NOW + timedelta(days=1))
    repriced = sku.recorder.events[-1]
    assert isinstance(repriced, events.SkuPriced)
    assert repriced.previous == (49900, "USD")


def test_the_same_price_twice_records_nothing_new() -> None:
    sku = _iphone()
    sku.set_price("FR", 45900, "EUR", NOW)
    count = len(sku.recorder.events)
    sku.set_price("FR", 45900, "EUR", NOW + timedelta(hours=1))
    assert len(sku.recorder.events) == count


def test_a_price_in_another_currency_than_the_market_is_refused_naming_the_currency() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("FR", 45900, "USD", NOW)
    assert refused.value.field == "currency"


def test_a_negative_price_is_refused() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("FR", -1, "EUR", NOW)
    assert refused.value.field == "amount_minor"


def test_a_market_reloop_does_not_sell_in_is_refused() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("ZZ", 100, "EUR", NOW)
    assert refused.value.field == "market"


def test_a_discontinued_sku_cannot_be_repriced() -> None:
    sku = _iphone()
    sku.discontinue("model end of life", NOW)
    with pytest.raises(Discontinued):
        sku.set_price("FR", 100, "EUR", NOW)


def test_a_device_sku_must_have_a_grade_and_an_accessory_must_not() -> None:
    product = Product.publish("charger", "Anker", "USB-C 20W", "other", {}, NOW)
    with pytest.raises(InvalidSku):
        Sku.list("IPH-NOGRADE", product, "refurbished_device", "no grade", None, None, None, NOW)
    with pytest.raises(InvalidSku):
        Sku.list("CHG-20W", product, "accessory", "Charger", "good", None, None, NOW)
