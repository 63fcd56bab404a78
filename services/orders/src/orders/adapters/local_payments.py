"""`LocalLedgerPaymentProvider`: the payment port served by a ledger in the orders database.

It stands in for a card acquirer where there is none (local runs, tests, demos): it records every
authorisation, capture and refund, enforces what an acquirer would (no capture beyond the
authorisation, no refund beyond the capture, one refund per reference) and declines by fixed
rules, so both outcomes of a checkout can be exercised on purpose.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from orders.domain.errors import PaymentFailed
from orders.domain.payments import Authorization
from reloop_contracts.amounts import Money

DECLINED_TOKEN = "tok_declined"
"""The test card that is always declined, like the acquirers' own test tokens."""


@dataclass(frozen=True)
class DeclineRules:
    """When the local ledger says no: a deterministic answer for a given token and amount."""

    limit_minor: int

    def decline_reason(self, amount: Money, token: str) -> str | None:
        if not token.startswith("tok_"):
            return "invalid_token"
        if token == DECLINED_TOKEN:
            return "card_declined"
        if amount.amount_minor > self.limit_minor:
            return "amount_over_limit"
        return None


class Ledger(Protocol):
    """Where the local provider keeps its books (PostgreSQL in the service, a dict in unit tests)."""

    async def approved_authorization(self, order_id: str) -> Authorization | None: ...
    async def authorization(self, authorization_id: str) -> Authorization | None: ...
    async def add_authorization(self, order_id: str, authorization: Authorization) -> None: ...
    async def captured(self, authorization_id: str) -> Money: ...
    async def add_capture(self, capture_id: str, authorization_id: str, amount: Money) -> None: ...
    async def capture_amount(self, capture_id: str) -> Money | None: ...
    async def refund_for(self, capture_id: str, reference: str) -> str | None: ...
    async def refunded(self, capture_id: str) -> Money: ...
    async def add_refund(self, refund_id: str, capture_id: str, reference: str, amount: Money) -> None: ...


def new_payment_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:20]}"


class LocalLedgerPaymentProvider:
    def __init__(self, ledger: Ledger, rules: DeclineRules, new_id: Callable[[str], str] = new_payment_id) -> None:
        self.ledger = ledger
        self.rules = rules
        self.new_id = new_id

    async def authorize(self, order_id: str, amount: Money, token: str) -> Authorization:
        earlier = await self.ledger.approved_authorization(order_id)
        if earlier is not None:
            # Like an acquirer's idempotency key: asking again for the same order is the same answer.
            if earlier.amount != amount:
                raise PaymentFailed(f"order {order_id} is already authorised for another amount")
            return earlier
        reason = self.rules.decline_reason(amount, token)
        authorization = Authorization(self.new_id("auth"), amount, approved=reason is None, decline_reason=reason)
        await self.ledger.add_authorization(order_id, authorization)
        return authorization

    async def capture(self, authorization_id: str, amount: Money) -> str:
        authorization = await self.ledger.authorization(authorization_id)
        if authorization is None or not authorization.approved:
            raise PaymentFailed(f"{authorization_id} is not an approved authorisation")
        if (await self.ledger.captured(authorization_id) + amount).amount_minor > authorization.amount.amount_minor:
            raise PaymentFailed(f"capturing {amount.amount_minor} exceeds authorisation {authorization_id}")
        capture_id = self.new_id("cap")
        await self.ledger.add_capture(capture_id, authorization_id, amount)
        return capture_id

    async def refund(self, capture_id: str, amount: Money, reference: str) -> str:
        earlier = await self.ledger.refund_for(capture_id, reference)
        if earlier is not None:
            return earlier
        captured = await self.ledger.capture_amount(capture_id)
        if captured is None:
            raise PaymentFailed(f"no capture {capture_id}")
        if (await self.ledger.refunded(capture_id) + amount).amount_minor > captured.amount_minor:
            raise PaymentFailed(f"refunding {amount.amount_minor} exceeds what capture {capture_id} has left")
        refund_id = self.new_id("ref")
        await self.ledger.add_refund(refund_id, capture_id, reference, amount)
        return refund_id
