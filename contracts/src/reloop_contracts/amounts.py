"""Money as a plain value for domain code: integer minor units and an ISO 4217 currency.

The wire model `reloop_contracts.money.Money` validates what travels; this frozen value is what
domain code computes with, without pydantic. One type for every service: translators convert
between the two with the wire model's `Money.of(value)` and `wire.value()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reloop_contracts.iso4217 import MINOR_UNITS


class InvalidMoney(ValueError):
    """An amount that is not money (a float, an unknown currency, two currencies mixed)."""

    def __init__(self, message: str, *, field: str = "currency") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        # bool is an int in Python; a True price is a bug, not a cent.
        if type(self.amount_minor) is not int:
            raise InvalidMoney(
                f"money is an integer of minor units, not {type(self.amount_minor).__name__}", field="amount_minor"
            )
        if self.currency not in MINOR_UNITS:
            raise InvalidMoney(f"'{self.currency}' is not an ISO 4217 currency")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount_minor * quantity, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise InvalidMoney(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        exponent = MINOR_UNITS[self.currency]
        sign = "-" if self.amount_minor < 0 else ""
        if not exponent:
            return f"{sign}{abs(self.amount_minor)} {self.currency}"
        units, minor = divmod(abs(self.amount_minor), 10**exponent)
        return f"{sign}{units}.{minor:0{exponent}d} {self.currency}"


def total(amounts: Iterable[Money], currency: str) -> Money:
    """The sum of `amounts`, all in `currency` (zero of it when there are none)."""
    result = Money.zero(currency)
    for amount in amounts:
        result += amount
    return result
