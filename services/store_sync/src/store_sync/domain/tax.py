"""The tax inside what a till charged: amounts are tax included, the tax is split off.

The tax inside an amount is split off on integer minor units (half up), and the net is always
`gross - tax`, so net and tax add up to the gross on every line and, summed line by line, on
every total.
"""

from __future__ import annotations

from dataclasses import dataclass

from store_sync.domain.errors import InvalidAmount


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
