"""The buy-back grid derived from the catalog's resale prices: the pure rules (margin, decay from
the day a resale price took effect, floor, which rule, which colour, which SKUs count, which price
is kept), then the catalog's events applied by the consumer engine on the twin, quotes priced by
what they derive, entries set by hand winning, and the rules managed through the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from reloop_contracts import catalog
from reloop_contracts.amounts import Money
from reloop_localstack.testing import staff_headers
from reloop_shared.memory import MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from services.trade_in.tests.builders import FAMILY, quoted
from services.trade_in.tests.fakes import START, InMemoryTradeInUnitOfWork, TradeInTables, TradeInTwin
from trade_in.domain import catalog_commands
from trade_in.domain.catalog_resale import SkuListing, entry_from_catalog, listing_of, supersedes
from trade_in.domain.errors import InvalidGrid, NoPrice
from trade_in.domain.pricing import DerivationRule, GridEntry, GridKey, ResalePrice, derived_entry, price_at
from trade_in.entrypoints.catalog_consumers import subscription
from trade_in.service_layer.pricing import set_derivation_rule

KEY = GridKey("FR", FAMILY, 128, "excellent")
PRICED_ON = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
MARKET_RULE = DerivationRule("FR", None, 3500, 200, Money(5000, "EUR"))


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def resale(cents: int, sku: str = "IPH13-128-BLK-EX", at: datetime = PRICED_ON, market: str = "FR") -> ResalePrice:
    return ResalePrice(sku, market, Money(cents, "EUR" if market == "FR" else "GBP"), at)


def listed(sku: str = "IPH13-128-BLK-EX", *, discontinued: bool = False) -> SkuListing:
    return SkuListing(sku, FAMILY, 128, "excellent", discontinued)


# The rules, on plain objects.


def test_a_derived_entry_is_the_resale_price_less_the_margin_rounded_in_reloops_favour() -> None:
    entry = derived_entry(KEY, [MARKET_RULE], [resale(59999)])
    assert entry == GridEntry(KEY, eur(38999), date(2026, 1, 10), 200, eur(5000), source="resale")


def test_a_derived_price_decays_each_month_from_the_day_its_resale_price_took_effect_down_to_the_floor() -> None:
    entry = derived_entry(KEY, [MARKET_RULE], [resale(60000)])
    assert entry is not None
    assert price_at(entry, datetime(2026, 2, 9, tzinfo=UTC)) == eur(39000)
    assert price_at(entry, datetime(2026, 4, 10, tzinfo=UTC)) == eur(39000 * 94 // 100)
    assert price_at(entry, datetime(2031, 1, 1, tzinfo=UTC)) == eur(5000)


def test_a_model_familys_own_rule_overrides_its_markets_rule() -> None:
    own = DerivationRule("FR", FAMILY, 2000, 100, eur(0))
    other_family = DerivationRule("FR", "pixel-8", 1000, 0, eur(0))
    entry = derived_entry(KEY, [MARKET_RULE, other_family, own], [resale(50000)])
    assert entry is not None
    assert (entry.price, entry.monthly_decay_bps) == (eur(40000), 100)
    other = derived_entry(GridKey("FR", "galaxy-s23", 128, "excellent"), [MARKET_RULE, own], [resale(50000)])
    assert other is not None
    assert other.price == eur(32500)


def test_a_market_without_a_rule_derives_nothing_even_with_resale_prices() -> None:
    assert derived_entry(KEY, [DerivationRule("DE", None, 3500, 200, eur(0))], [resale(60000)]) is None


def test_the_cheapest_colour_sets_the_resale_price_and_a_tie_goes_to_the_newest_price() -> None:
    later = PRICED_ON + timedelta(days=20)
    prices = [resale(62000, "IPH13-128-RED-EX"), resale(60000, "IPH13-128-BLK-EX"), resale(60000, "X", later)]
    entry = derived_entry(KEY, [MARKET_RULE], prices)
    assert entry is not None
    assert (entry.price, entry.released_on) == (eur(39000), later.date())


def test_a_discontinued_sku_or_one_of_another_grade_no_longer_moves_the_grid() -> None:
    cheap_gone = (listed("IPH13-128-BLK-EX", discontinued=True), resale(40000, "IPH13-128-BLK-EX"))
    other_grade = (SkuListing("IPH13-128-BLK-GD", FAMILY, 128, "good"), resale(30000, "IPH13-128-BLK-GD"))
    still_sold = (listed("IPH13-128-RED-EX"), resale(60000, "IPH13-128-RED-EX"))
    entry = entry_from_catalog(KEY, [MARKET_RULE], [cheap_gone, other_grade, still_sold])
    assert entry is not None
    assert entry.price == eur(39000)
    assert entry_from_catalog(KEY, [MARKET_RULE], [cheap_gone, other_grade]) is None


def test_a_price_in_another_currency_than_the_markets_is_not_followed() -> None:
    assert derived_entry(KEY, [MARKET_RULE], [ResalePrice("X", "FR", Money(60000, "GBP"), PRICED_ON)]) is None


def test_a_rule_floor_above_the_derived_price_is_lowered_to_it() -> None:
    entry = derived_entry(KEY, [DerivationRule("FR", None, 5000, 200, eur(10000))], [resale(12000)])
    assert entry is not None
    assert (entry.price, entry.floor) == (eur(6000), eur(6000))


def test_a_resale_price_that_leaves_nothing_to_pay_derives_no_price() -> None:
    assert derived_entry(KEY, [MARKET_RULE], [resale(1)]) is None


@pytest.mark.parametrize(
    ("margin", "decay", "floor", "field"),
    [
        (10000, 200, eur(0), "margin_bps"),
        (3500, 10001, eur(0), "monthly_decay_bps"),
        (3500, 0, Money(1, "GBP"), "floor.currency"),
    ],
)
def test_a_rule_that_cannot_price_is_refused_naming_its_field(
    margin: int, decay: int, floor: Money, field: str
) -> None:
    with pytest.raises(InvalidGrid) as refused:
        DerivationRule("FR", None, margin, decay, floor)
    assert refused.value.field == field


def test_only_graded_refurbished_devices_with_a_storage_become_grid_keys() -> None:
    assert listing_of("IPH13-128-BLK-EX", FAMILY, "refurbished_device", 128, "excellent") == listed()
    assert listing_of("CHG-20W", "charger-20w", "accessory", None, None) is None
    assert listing_of("IPH13-NOGRADE", FAMILY, "refurbished_device", 128, None) is None
    assert listing_of("WATCH-1", "watch", "refurbished_device", None, "good") is None


def test_only_a_later_price_replaces_the_one_kept() -> None:
    kept = resale(60000)
    assert supersedes(resale(58000, at=PRICED_ON + timedelta(seconds=1)), kept)
    assert not supersedes(resale(70000, at=PRICED_ON - timedelta(days=3)), kept)
    assert not supersedes(resale(70000), kept)
    assert supersedes(kept, None)


# The catalog's events through the consumer engine on the twin, and quotes priced by them.


def sku_listed(sku: str, grade: str = "excellent", kind: str = "refurbished_device") -> catalog.SkuListed:
    device = kind == "refurbished_device"
    return catalog.SkuListed(
        sku=sku,
        product_id=FAMILY if device else "charger-20w",
        kind=kind,  # type: ignore[arg-type]
        title=sku,
        grade=grade if device else None,  # type: ignore[arg-type]
        storage_gb=128 if device else None,
        colour="black" if device else None,
        listed_at=PRICED_ON - timedelta(days=30),
    )


def sku_priced(sku: str, cents: int, at: datetime = PRICED_ON) -> catalog.SkuPriced:
    price: Any = {"amount_minor": cents, "currency": "EUR"}
    return catalog.SkuPriced.model_validate({"sku": sku, "market": "FR", "price": price, "effective_at": at})


def discontinued(sku: str) -> catalog.SkuDiscontinued:
    return catalog.SkuDiscontinued(sku=sku, reason="end of range", discontinued_at=PRICED_ON + timedelta(days=1))


@pytest.fixture
async def twin() -> TradeInTwin:
    twin = TradeInTwin()
    await set_derivation_rule(catalog_commands.SetDerivationRule("FR", None, 3500, 200, eur(5000)), twin.unit_of_work())
    return twin


@pytest.fixture
async def service(twin: TradeInTwin) -> AsyncIterator[InMemoryService[TradeInTables, InMemoryTradeInUnitOfWork]]:
    def joining(tx: MemoryTransaction[TradeInTables]) -> InMemoryTradeInUnitOfWork:
        return InMemoryTradeInUnitOfWork(transaction=tx)

    async with InMemoryService(twin.store, [subscription(joining)], lambda _: twin.unit_of_work()) as service:
        yield service


Service = InMemoryService[TradeInTables, InMemoryTradeInUnitOfWork]


async def test_a_sku_priced_makes_a_quote_priced_at_resale_less_margin_decayed_with_age(
    twin: TradeInTwin, service: Service
) -> None:
    await service.deliver(sku_listed("IPH13-128-BLK-EX"), sku_priced("IPH13-128-BLK-EX", 60000), producer="catalog")
    # START (2 March 2026) is one whole month after the price took effect (10 January): 2% off.
    assert (await quoted(twin)).offered == eur(39000 * 98 // 100)
    assert await service.dead_letters() == []


async def test_an_older_price_delivered_after_a_newer_one_does_not_take_the_grid_back(
    twin: TradeInTwin, service: Service
) -> None:
    newer, older = sku_priced("IPH13-128-BLK-EX", 50000, START), sku_priced("IPH13-128-BLK-EX", 60000, PRICED_ON)
    await service.deliver(sku_listed("IPH13-128-BLK-EX"), newer, older, producer="catalog")
    assert (await quoted(twin)).offered == eur(32500)


async def test_a_discontinued_sku_no_longer_prices_quotes(twin: TradeInTwin, service: Service) -> None:
    sku = "IPH13-128-BLK-EX"
    await service.deliver(sku_listed(sku), sku_priced(sku, 60000), discontinued(sku), producer="catalog")
    with pytest.raises(NoPrice):
        await quoted(twin)


async def test_an_accessorys_price_is_not_kept(twin: TradeInTwin, service: Service) -> None:
    await service.deliver(sku_listed("CHG-20W", kind="accessory"), sku_priced("CHG-20W", 1900), producer="catalog")
    assert (twin.tables.catalog.skus, twin.tables.catalog.prices) == ({}, {})
    assert await service.dead_letters() == []


async def test_an_entry_set_by_hand_wins_over_the_derived_one_and_the_api_says_which_priced(
    twin: TradeInTwin, service: Service
) -> None:
    await service.deliver(sku_listed("IPH13-128-BLK-EX"), sku_priced("IPH13-128-BLK-EX", 60000), producer="catalog")
    path = f"/price-grid/FR/{FAMILY}/128/excellent"
    async with twin.client(staff_headers("trade-in:pricing")) as pricing:
        derived = (await pricing.get(path)).json()
        assert (derived["source"], derived["price"]["amount_minor"], derived["released_on"]) == (
            "resale",
            39000,
            "2026-01-10",
        )
        by_hand = {
            "price": {"amount_minor": 45000, "currency": "EUR"},
            "floor": {"amount_minor": 5000, "currency": "EUR"},
            "released_on": "2026-03-01",
            "monthly_decay_bps": 0,
        }
        assert (await pricing.put(path, json=by_hand)).status_code == 200
        manual = (await pricing.get(path)).json()
        assert (manual["source"], manual["price"]["amount_minor"]) == ("manual", 45000)
        missing = await pricing.get(f"/price-grid/FR/{FAMILY}/256/excellent")
        assert (missing.status_code, missing.json()["field"]) == (422, "device")
    assert (await quoted(twin)).offered == eur(45000)


async def test_the_business_sets_lists_and_drops_rules_per_market_and_per_family(twin: TradeInTwin) -> None:
    rule = {"margin_bps": 2000, "monthly_decay_bps": 100, "floor": {"amount_minor": 1000, "currency": "EUR"}}
    async with twin.client(staff_headers("trade-in:pricing")) as pricing:
        assert (await pricing.put(f"/price-grid-rules/FR/{FAMILY}", json=rule)).status_code == 200
        rules = (await pricing.get("/price-grid-rules/FR")).json()
        assert [(r["model_family"], r["margin_bps"]) for r in rules] == [(None, 3500), (FAMILY, 2000)]
        assert (await pricing.delete(f"/price-grid-rules/FR/{FAMILY}")).status_code == 204
        gone = await pricing.delete(f"/price-grid-rules/FR/{FAMILY}")
        assert (gone.status_code, gone.json()["field"]) == (404, "model_family")
        assert (await pricing.delete("/price-grid-rules/FR")).status_code == 204
        assert (await pricing.get("/price-grid-rules/FR")).json() == []


async def test_a_rule_in_another_currency_than_the_markets_is_refused_naming_the_floors_currency(
    twin: TradeInTwin,
) -> None:
    rule = {"margin_bps": 2000, "monthly_decay_bps": 100, "floor": {"amount_minor": 1000, "currency": "GBP"}}
    async with twin.client(staff_headers("trade-in:pricing")) as pricing:
        refused = await pricing.put("/price-grid-rules/FR", json=rule)
    assert (refused.status_code, refused.json()["field"]) == (422, "floor.currency")


async def test_rules_need_the_pricing_scope(twin: TradeInTwin) -> None:
    async with twin.client(staff_headers("trade-in:read")) as reader:
        refused = await reader.get("/price-grid-rules/FR")
    assert refused.status_code == 403
