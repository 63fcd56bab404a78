"""The buy-back grid's rules: age decay with a floor, resale less a margin, the voucher bonus."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from reloop_contracts.amounts import Money
from trade_in.domain.errors import InvalidGrid, NoPrice
from trade_in.domain.pricing import (
    GridEntry,
    GridKey,
    derived_from_resale,
    months_between,
    offer_for,
    price_at,
    with_bonus,
)

KEY = GridKey("FR", "iphone-13", 128, "excellent")


def _entry(price: int = 40000, decay_bps: int = 300, floor: int = 10000) -> GridEntry:
    return GridEntry(KEY, Money(price, "EUR"), date(2025, 1, 15), decay_bps, Money(floor, "EUR"))


def test_a_model_loses_its_monthly_share_for_each_whole_month_since_release() -> None:
    entry = _entry()
    assert price_at(entry, datetime(2025, 2, 14, tzinfo=UTC)) == Money(40000, "EUR")
    assert price_at(entry, datetime(2025, 2, 15, tzinfo=UTC)) == Money(38800, "EUR")
    assert price_at(entry, datetime(2026, 1, 15, tzinfo=UTC)) == Money(40000 * (10000 - 12 * 300) // 10000, "EUR")


def test_age_never_takes_the_price_below_the_floor() -> None:
    assert price_at(_entry(), datetime(2030, 1, 1, tzinfo=UTC)) == Money(10000, "EUR")


def test_a_date_before_the_release_counts_no_months() -> None:
    assert months_between(date(2025, 6, 1), datetime(2025, 1, 1, tzinfo=UTC)) == 0


def test_a_buy_back_price_derived_from_resale_keeps_the_margin_rounded_in_reloops_favour() -> None:
    assert derived_from_resale(Money(59999, "EUR"), 3500) == Money(38999, "EUR")


def test_a_margin_of_everything_is_refused() -> None:
    with pytest.raises(InvalidGrid):
        derived_from_resale(Money(100, "EUR"), 10000)


def test_store_credit_adds_the_markets_bonus_rounded_down() -> None:
    assert with_bonus(Money(30005, "EUR"), 1000) == Money(33005, "EUR")


def test_a_floor_above_the_price_is_refused_naming_the_floor() -> None:
    with pytest.raises(InvalidGrid) as refused:
        _entry(price=100, floor=200)
    assert refused.value.field == "floor"


def test_a_price_in_another_currency_than_the_markets_is_refused() -> None:
    with pytest.raises(InvalidGrid) as refused:
        GridEntry(KEY, Money(100, "USD"), date(2025, 1, 1), 0, Money(0, "USD"))
    assert refused.value.field == "price.currency"


def test_no_grid_entry_means_no_offer_naming_the_device() -> None:
    with pytest.raises(NoPrice) as refused:
        offer_for(None, KEY, datetime(2026, 1, 1, tzinfo=UTC))
    assert refused.value.field == "device"
