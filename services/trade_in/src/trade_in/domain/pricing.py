"""The buy-back grid: what reloop pays for a model, storage and grade in a market, and how that
price falls as the model ages.

A price decays by a fixed share per whole month since the model's release and never below the
entry's floor; a grid price can also be derived from what reloop resells the device for, less a
margin, so buy-back follows resale without anyone retyping figures. A derived entry starts from the
resale price on the day it took effect (that price already counts the device's age until then)
and decays from there until the catalog reprices; an entry set by hand wins over a derived one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from reloop_contracts.amounts import Money
from reloop_contracts.markets import currency_of
from trade_in.domain.errors import InvalidGrid, NoPrice
from trade_in.domain.grades import Grade

BPS = 10_000

GridSource = Literal["manual", "resale"]
"""Who set a grid price: the business by hand, or derivation from the catalog's resale price."""


@dataclass(frozen=True)
class GridKey:
    market: str
    model_family: str
    storage_gb: int
    grade: Grade


@dataclass(frozen=True)
class GridEntry:
    key: GridKey
    price: Money
    """What the device is worth at release."""
    released_on: date
    monthly_decay_bps: int
    floor: Money
    """Age never takes the price below this."""
    source: GridSource = "manual"

    def __post_init__(self) -> None:
        if self.price.amount_minor <= 0:
            raise InvalidGrid("a buy-back price is more than zero", field="price")
        expected = currency_of(self.key.market)
        if expected is not None and self.price.currency != expected:
            raise InvalidGrid(f"market {self.key.market} pays in {expected}", field="price.currency")
        if self.floor.currency != self.price.currency:
            raise InvalidGrid("the floor is in the price's currency", field="floor.currency")
        if not 0 <= self.floor.amount_minor <= self.price.amount_minor:
            raise InvalidGrid("the floor lies between zero and the price", field="floor")
        if not 0 <= self.monthly_decay_bps <= BPS:
            raise InvalidGrid("the monthly decay is between 0 and 10000 basis points", field="monthly_decay_bps")


def months_between(start: date, at: datetime) -> int:
    """Whole months from `start` to `at` (none before the release)."""
    months = (at.year - start.year) * 12 + (at.month - start.month)
    if at.day < start.day:
        months -= 1
    return max(months, 0)


def price_at(entry: GridEntry, at: datetime) -> Money:
    """The entry's price at `at`: linear decay per month since release, never below the floor.

    Rounded down to the minor unit: reloop never offers a fraction of a cent more than the rule."""
    kept_bps = max(BPS - entry.monthly_decay_bps * months_between(entry.released_on, at), 0)
    decayed = entry.price.amount_minor * kept_bps // BPS
    return Money(max(decayed, entry.floor.amount_minor), entry.price.currency)


def derived_from_resale(resale: Money, margin_bps: int) -> Money:
    """A buy-back price from a resale price less reloop's margin (refurbishment, risk, profit)."""
    if not 0 <= margin_bps < BPS:
        raise InvalidGrid("a margin is between 0 and 9999 basis points", field="margin_bps")
    return Money(resale.amount_minor * (BPS - margin_bps) // BPS, resale.currency)


def with_bonus(amount: Money, bonus_bps: int) -> Money:
    """A store-credit payout: the amount plus the market's bonus, rounded down."""
    return Money(amount.amount_minor + amount.amount_minor * bonus_bps // BPS, amount.currency)


def priced(entry: GridEntry | None, key: GridKey) -> GridEntry:
    """The entry found for `key`, or `NoPrice` naming the device."""
    if entry is None:
        raise NoPrice(
            f"no buy-back price for {key.model_family} {key.storage_gb} GB in {key.grade} in {key.market}",
            field="device",
        )
    return entry


def offer_for(entry: GridEntry | None, key: GridKey, at: datetime) -> Money:
    return price_at(priced(entry, key), at)


@dataclass(frozen=True)
class DerivationRule:
    """How a market's grid follows resale prices: the margin reloop keeps, the monthly decay from
    the day a resale price took effect, and the floor age never goes below. A rule for one model
    family overrides the market's rule (`model_family` None) for that family."""

    market: str
    model_family: str | None
    margin_bps: int
    monthly_decay_bps: int
    floor: Money

    def __post_init__(self) -> None:
        if not 0 <= self.margin_bps < BPS:
            raise InvalidGrid("a margin is between 0 and 9999 basis points", field="margin_bps")
        if not 0 <= self.monthly_decay_bps <= BPS:
            raise InvalidGrid("the monthly decay is between 0 and 10000 basis points", field="monthly_decay_bps")
        if self.floor.amount_minor < 0:
            raise InvalidGrid("a floor is zero or more", field="floor")
        expected = currency_of(self.market)
        if expected is not None and self.floor.currency != expected:
            raise InvalidGrid(f"market {self.market} pays in {expected}", field="floor.currency")


@dataclass(frozen=True)
class ResalePrice:
    """What reloop resells one SKU for in one market, from `effective_at` on."""

    sku: str
    market: str
    price: Money
    effective_at: datetime


def rule_for(key: GridKey, rules: Iterable[DerivationRule]) -> DerivationRule | None:
    """The rule that prices `key`: its family's own, else its market's."""
    mine = [r for r in rules if r.market == key.market and r.model_family in (key.model_family, None)]
    return next((r for r in mine if r.model_family is not None), mine[0] if mine else None)


def resale_for(key: GridKey, prices: Iterable[ResalePrice]) -> ResalePrice | None:
    """The resale price buy-back follows among the key's SKUs still sold (its colours): the lowest,
    so reloop never pays for a colour that resells for more than the one the customer may send.
    Ties go to the newest price. A price in another currency than the market's is not one."""
    expected = currency_of(key.market)
    usable = [p for p in prices if p.market == key.market and (expected is None or p.price.currency == expected)]
    return min(usable, key=lambda p: (p.price.amount_minor, -p.effective_at.timestamp()), default=None)


def derived_entry(key: GridKey, rules: Iterable[DerivationRule], prices: Iterable[ResalePrice]) -> GridEntry | None:
    """The grid entry derived for `key`: its resale price less the rule's margin, decaying by the
    rule from the day that price took effect, never below the rule's floor (nor above the price).
    None when the market has no rule, the key no resale price, or nothing would be left to pay."""
    rule, resale = rule_for(key, rules), resale_for(key, prices)
    if rule is None or resale is None:
        return None
    price = derived_from_resale(resale.price, rule.margin_bps)
    if price.amount_minor <= 0:
        return None
    floor = Money(min(rule.floor.amount_minor, price.amount_minor), price.currency)
    return GridEntry(key, price, resale.effective_at.date(), rule.monthly_decay_bps, floor, source="resale")
