"""Money is an integer amount of minor units plus an ISO 4217 currency, never a float."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import AfterValidator, Field, StrictInt

from reloop_contracts import amounts
from reloop_contracts.base import Contract
from reloop_contracts.iso4217 import MINOR_UNITS


def _known_currency(code: str) -> str:
    if code not in MINOR_UNITS:
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return code


Currency = Annotated[
    str,
    Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 alphabetic code, e.g. EUR, USD"),
    AfterValidator(_known_currency),
]

Market = Annotated[
    str,
    Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country of the market, e.g. FR, US"),
]


class Money(Contract):
    amount_minor: StrictInt = Field(description="Amount in the currency's minor unit (cents for EUR).")
    currency: Currency

    @classmethod
    def of(cls, value: amounts.Money) -> Self:
        """The wire form of a domain amount."""
        return cls(amount_minor=value.amount_minor, currency=value.currency)

    def value(self) -> amounts.Money:
        """The plain value domain code computes with."""
        return amounts.Money(self.amount_minor, self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount_minor=self.amount_minor + other.amount_minor, currency=self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(amount_minor=self.amount_minor - other.amount_minor, currency=self.currency)

    def times(self, quantity: int) -> Money:
        return Money(amount_minor=self.amount_minor * quantity, currency=self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __str__(self) -> str:
        exponent = MINOR_UNITS[self.currency]
        sign = "-" if self.amount_minor < 0 else ""
        units, minor = divmod(abs(self.amount_minor), 10**exponent) if exponent else (abs(self.amount_minor), 0)
        return f"{sign}{units}.{minor:0{exponent}d} {self.currency}" if exponent else f"{sign}{units} {self.currency}"


class NonNegativeMoney(Money):
    amount_minor: StrictInt = Field(ge=0, description="Amount in the currency's minor unit; never negative.")


class PositiveMoney(Money):
    amount_minor: StrictInt = Field(gt=0, description="Amount in the currency's minor unit; more than zero.")
