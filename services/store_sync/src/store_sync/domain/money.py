"""Money in the domain: an integer amount of minor units and a currency, never a float.

Tills hand over amounts as charged to the customer, tax included. The tax inside an amount is
split off on integer minor units (half up), and the net is always `gross - tax`, so net and tax
add up to the gross on every line and, summed line by line, on every total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reloop_contracts.iso4217 import MINOR_UNITS
from store_sync.domain.errors import InvalidAmount

_DECIMAL = re.compile(r"^(?P<units>\d{1,12})(?:[.,](?P<fraction>\d{1,4}))?$")


@dataclass(frozen=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int in Python; a True price is a bug, not a cent.
        if type(self.amount_minor) is not int:
            raise TypeError(f"money is an integer of minor units, not {type(self.amount_minor).__name__}")
        if self.currency not in MINOR_UNITS:
            raise InvalidAmount(f"'{self.currency}' is not an ISO 4217 currency", field="currency")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidAmount(f"cannot combine {self.currency} with {other.currency}", field="currency")


def total(amounts: list[Money], currency: str) -> Money:
    result = Money.zero(currency)
    for amount in amounts:
        result += amount
    return result


def parse_amount(text: str, currency: str, *, field: str) -> Money:
    """A decimal written by a till ('459,00', '459.00', '1 299,90', '459') as exact minor units.

    Decimal comma or point, spaces as thousands separators; never through a float, and never more
    decimals than the currency has (a third decimal of euros is a bad field, not a rounding)."""
    exponent = MINOR_UNITS.get(currency)
    if exponent is None:
        raise InvalidAmount(f"'{currency}' is not an ISO 4217 currency", field=field)
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    match = _DECIMAL.match(cleaned)
    if match is None:
        raise InvalidAmount(f"'{text}' is not an amount", field=field)
    fraction = match.group("fraction") or ""
    if len(fraction) > exponent:
        raise InvalidAmount(f"'{text}' has more decimals than {currency} has ({exponent})", field=field)
    return Money(int(match.group("units")) * 10**exponent + int(fraction.ljust(exponent, "0") or 0), currency)


@dataclass(frozen=True)
class TaxSplit:
    """An amount charged (gross, tax included) and the net and tax inside it."""

    gross: int
    net: int
    tax: int

    def __add__(self, other: TaxSplit) -> TaxSplit:
        return TaxSplit(self.gross + other.gross, self.net + other.net, self.tax + other.tax)


NO_TAX = TaxSplit(0, 0, 0)


def split_tax(gross_minor: int, rate_bp: int) -> TaxSplit:
    """The tax included in `gross_minor` at `rate_bp` basis points (2000 = 20 %), half up.

    net = gross / (1 + rate), rounded half up on integers; tax = gross - net, so they always add up.
    A refund splits like a sale (the sign is carried by the caller, never by the amounts)."""
    if gross_minor < 0:
        raise InvalidAmount("a charged amount is never negative", field="amount_minor")
    if not 0 <= rate_bp <= 10_000:
        raise InvalidAmount(f"a tax rate of {rate_bp} basis points is not a rate", field="tax_rate_bp")
    denominator = 10_000 + rate_bp
    net = (2 * gross_minor * 10_000 + denominator) // (2 * denominator)
    return TaxSplit(gross_minor, net, gross_minor - net)


STANDARD_TAX_RATE_BP: dict[str, int] = {
    "FR": 2000,
    "DE": 1900,
    "ES": 2100,
    "IT": 2200,
    "BE": 2100,
    "NL": 2100,
    "AT": 2000,
    "PT": 2300,
    "IE": 2300,
    "FI": 2550,
    "GB": 2000,
    "SE": 2500,
    "JP": 1000,
}
"""Standard VAT of each market reloop sells in. The United States has none: sales tax depends on
the state and city, so a US shop is registered with its own rate."""
