"""The catalog's pricing rules, on plain objects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from catalog.domain import events
from catalog.domain.errors import Discontinued, InvalidPrice, InvalidSku
from catalog.domain.model import Product, Sku
from reloop_contracts.amounts import Money

NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)


def _iphone() -> Sku:
    product = Product.publish("iphone-13", "Apple", "iPhone 13", "smartphone", {}, NOW)
    return Sku.list(
        "IPH13-128-BLK-EX", product, "refurbished_device", "iPhone 13 128GB", "excellent", 128, "black", NOW
    )


def test_a_sku_priced_in_its_market_currency_records_the_price() -> None:
    sku = _iphone()
    sku.set_price("FR", Money(45900, "EUR"), NOW)
    priced = sku.recorder.events[-1]
    assert isinstance(priced, events.SkuPriced)
    assert (priced.market, priced.price, priced.previous) == ("FR", Money(45900, "EUR"), None)


def test_a_reprice_remembers_the_previous_price() -> None:
    sku = _iphone()
    sku.set_price("US", Money(49900, "USD"), NOW)
    sku.set_price("US", Money(47900, "USD"), NOW + timedelta(days=1))
    repriced = sku.recorder.events[-1]
    assert isinstance(repriced, events.SkuPriced)
    assert repriced.previous == Money(49900, "USD")


def test_the_same_price_twice_records_nothing_new() -> None:
    sku = _iphone()
    sku.set_price("FR", Money(45900, "EUR"), NOW)
    count = len(sku.recorder.events)
    sku.set_price("FR", Money(45900, "EUR"), NOW + timedelta(hours=1))
    assert len(sku.recorder.events) == count


def test_a_price_in_another_currency_than_the_market_is_refused_naming_the_currency() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("FR", Money(45900, "USD"), NOW)
    assert refused.value.field == "currency"


def test_a_negative_price_is_refused() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("FR", Money(-1, "EUR"), NOW)
    assert refused.value.field == "amount_minor"


def test_a_market_reloop_does_not_sell_in_is_refused() -> None:
    with pytest.raises(InvalidPrice) as refused:
        _iphone().set_price("ZZ", Money(100, "EUR"), NOW)
    assert refused.value.field == "market"


def test_a_discontinued_sku_cannot_be_repriced() -> None:
    sku = _iphone()
    sku.discontinue("model end of life", NOW)
    with pytest.raises(Discontinued):
        sku.set_price("FR", Money(100, "EUR"), NOW)


def test_a_device_sku_must_have_a_grade_and_an_accessory_must_not() -> None:
    product = Product.publish("charger", "Anker", "USB-C 20W", "other", {}, NOW)
    with pytest.raises(InvalidSku):
        Sku.list("IPH-NOGRADE", product, "refurbished_device", "no grade", None, None, None, NOW)
    with pytest.raises(InvalidSku):
        Sku.list("CHG-20W", product, "accessory", "Charger", "good", None, None, NOW)


def test_a_new_price_at_the_instant_of_the_current_one_is_refused_naming_the_effective_time() -> None:
    sku = _iphone()
    sku.set_price("FR", Money(45900, "EUR"), NOW)
    with pytest.raises(InvalidPrice) as refused:
        sku.set_price("FR", Money(44900, "EUR"), NOW)
    assert refused.value.field == "effective_at"
    assert sku.prices["FR"].amount == Money(45900, "EUR")


def test_a_sku_discontinued_twice_records_it_once() -> None:
    sku = _iphone()
    assert sku.discontinue("model end of life", NOW)
    assert not sku.discontinue("again", NOW + timedelta(days=1))
    discontinued = [e for e in sku.recorder.events if isinstance(e, events.SkuDiscontinued)]
    assert [(e.reason, e.at) for e in discontinued] == [("model end of life", NOW)]
