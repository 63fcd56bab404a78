"""The buy-back grid: what reloop pays for a model, storage and grade in a market, and how that
price falls as the model ages.

A price decays by a fixed share per whole month since the model's release and never below the
entry's floor; a grid price can also be derived from what reloop resells the device for, less a
margin, so buy-back follows resale without anyone retyping figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reloop_contracts.amounts import Money
from reloop_contracts.markets import currency_of
from trade_in.domain.errors import InvalidGrid, NoPrice
from trade_in.domain.grades import Grade

BPS = 10_000


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


def offer_for(entry: GridEntry | None, key: GridKey, at: datetime) -> Money:
    if entry is None:
        raise NoPrice(
            f"no buy-back price for {key.model_family} {key.storage_gb} GB in {key.grade} in {key.market}",
            field="device",
        )
    return price_at(entry, at)
