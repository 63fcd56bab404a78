"""Amounts as a till writes them ('459,00', '1 299,90'), read as exact money, never a float."""

from __future__ import annotations

import re

from reloop_contracts.amounts import Money
from reloop_contracts.iso4217 import MINOR_UNITS
from store_sync.domain.errors import InvalidAmount

_DECIMAL = re.compile(r"^(?P<units>\d{1,12})(?:[.,](?P<fraction>\d{1,4}))?$")


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
