"""The payment port: how orders moves money, whoever moves it.

Every call names the order (or the capture), so a provider can treat a repeat as the same
operation: a consumer that is retried after a crash must never charge twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class Authorization:
    authorization_id: str
    amount: Money
    approved: bool
    decline_reason: str | None = None


class PaymentProvider(Protocol):
    async def authorize(self, order_id: str, amount: Money, token: str) -> Authorization:
        """Hold `amount` on the customer's card; a decline is an answer, not an exception."""
        ...

    async def capture(self, authorization_id: str, amount: Money) -> str:
        """Take (part of) an approved authorisation; returns the capture id."""
        ...

    async def refund(self, capture_id: str, amount: Money, reference: str) -> str:
        """Give back part of a capture; the same `reference` twice is one refund. Returns its id."""
        ...
