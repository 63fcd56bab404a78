"""Pricing and repricing a SKU per market, on the in-memory twin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.domain import commands
from catalog.domain.errors import Discontinued, InvalidPrice, NotFound
from catalog.service_layer import handlers
from reloop_contracts import NonNegativeMoney
from reloop_contracts import catalog as contract
from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from services.catalog.tests.builders import IPHONE, NOW, listed_iphone
from services.catalog.tests.fakes import CatalogTwin


async def _twin_with_iphone() -> CatalogTwin:
    twin = CatalogTwin(FixedClock(NOW))
    await listed_iphone(twin)
    return twin


async def _price(twin: CatalogTwin, amount: Money, market: str = "FR") -> None:
    await handlers.price_sku(commands.PriceSku(IPHONE, market, amount), twin.unit_of_work(), twin.clock)


async def test_a_first_price_takes_effect_now_and_is_announced_without_a_previous_one() -> None:
    twin = await _twin_with_iphone()
    await _price(twin, Money(45900, "EUR"))
    assert twin.tables.sku_prices == {(IPHONE, "FR", NOW): Money(45900, "EUR")}
    [priced] = twin.store.published(contract.SkuPriced)
    assert (priced.sku, priced.market, priced.price, priced.previous_price, priced.effective_at) == (
        IPHONE,
        "FR",
        NonNegativeMoney(amount_minor=45900, currency="EUR"),
        None,
        NOW,
    )


async def test_a_reprice_is_appended_to_the_history_and_announced_with_the_previous_price() -> None:
    twin = await _twin_with_iphone()
    await _price(twin, Money(45900, "EUR"))
    later = NOW + timedelta(days=3)
    command = commands.PriceSku(IPHONE, "FR", Money(42900, "EUR"), effective_at=later)
    await handlers.price_sku(command, twin.unit_of_work(), twin.clock)
    assert twin.tables.sku_prices == {
        (IPHONE, "FR", NOW): Money(45900, "EUR"),
        (IPHONE, "FR", later): Money(42900, "EUR"),
    }
    repriced = twin.store.published(contract.SkuPriced)[-1]
    assert (repriced.price.amount_minor, repriced.effective_at) == (42900, later)
    assert repriced.previous_price == NonNegativeMoney(amount_minor=45900, currency="EUR")


async def test_each_market_has_its_own_price_in_its_own_currency() -> None:
    twin = await _twin_with_iphone()
    await _price(twin, Money(45900, "EUR"), market="FR")
    await _price(twin, Money(49900, "USD"), market="US")
    priced = twin.store.published(contract.SkuPriced)
    assert [(p.market, p.price.currency, p.previous_price) for p in priced] == [
        ("FR", "EUR", None),
        ("US", "USD", None),
    ]


async def test_the_same_price_again_stores_and_announces_nothing() -> None:
    twin = await _twin_with_iphone()
    await _price(twin, Money(45900, "EUR"))
    twin.clock.advance(timedelta(hours=1))
    await _price(twin, Money(45900, "EUR"))
    assert list(twin.tables.sku_prices) == [(IPHONE, "FR", NOW)]
    assert len(twin.store.published(contract.SkuPriced)) == 1


async def test_a_price_in_another_currency_than_the_market_is_refused_and_nothing_is_stored() -> None:
    twin = await _twin_with_iphone()
    with pytest.raises(InvalidPrice) as refused:
        await _price(twin, Money(45900, "USD"))
    assert refused.value.field == "currency"
    assert twin.tables.sku_prices == {}
    assert twin.store.published(contract.SkuPriced) == []


async def test_a_price_taking_effect_before_the_current_one_is_refused_and_the_history_stands() -> None:
    twin = await _twin_with_iphone()
    await _price(twin, Money(45900, "EUR"))
    earlier = commands.PriceSku(IPHONE, "FR", Money(40000, "EUR"), effective_at=NOW - timedelta(days=1))
    with pytest.raises(InvalidPrice) as refused:
        await handlers.price_sku(earlier, twin.unit_of_work(), twin.clock)
    assert refused.value.field == "effective_at"
    assert twin.tables.sku_prices == {(IPHONE, "FR", NOW): Money(45900, "EUR")}
    assert len(twin.store.published(contract.SkuPriced)) == 1


async def test_an_unknown_sku_is_refused_naming_the_sku() -> None:
    twin = await _twin_with_iphone()
    with pytest.raises(NotFound) as refused:
        await handlers.price_sku(commands.PriceSku("NOPE-1", "FR", Money(100, "EUR")), twin.unit_of_work(), twin.clock)
    assert refused.value.field == "sku"


async def test_a_discontinued_sku_is_not_repriced() -> None:
    twin = await _twin_with_iphone()
    await handlers.discontinue_sku(commands.DiscontinueSku(IPHONE, "end of life"), twin.unit_of_work(), twin.clock)
    with pytest.raises(Discontinued):
        await _price(twin, Money(45900, "EUR"))
    assert twin.tables.sku_prices == {}
    assert twin.store.published(contract.SkuPriced) == []
