"""In-memory stand-ins for the adapters, for unit tests (a plain module: import what you use)."""

from __future__ import annotations

from dataclasses import dataclass, field

from orders.domain.money import Money, total
from orders.domain.payments import Authorization


@dataclass
class FakeLedger:
    """The local payment provider's books in dicts, with the same answers as the SQL ledger."""

    authorizations: dict[str, tuple[str, Authorization]] = field(default_factory=dict)
    captures: dict[str, tuple[str, Money]] = field(default_factory=dict)
    refunds: dict[str, tuple[str, str, Money]] = field(default_factory=dict)

    async def approved_authorization(self, order_id: str) -> Authorization | None:
        return next((a for o, a in self.authorizations.values() if o == order_id and a.approved), None)

    async def authorization(self, authorization_id: str) -> Authorization | None:
        found = self.authorizations.get(authorization_id)
        return found[1] if found else None

    async def add_authorization(self, order_id: str, authorization: Authorization) -> None:
        self.authorizations[authorization.authorization_id] = (order_id, authorization)

    async def captured(self, authorization_id: str) -> Money:
        currency = self.authorizations[authorization_id][1].amount.currency
        return total([amount for a, amount in self.captures.values() if a == authorization_id], currency)

    async def add_capture(self, capture_id: str, authorization_id: str, amount: Money) -> None:
        self.captures[capture_id] = (authorization_id, amount)

    async def capture_amount(self, capture_id: str) -> Money | None:
        found = self.captures.get(capture_id)
        return found[1] if found else None

    async def refund_for(self, capture_id: str, reference: str) -> str | None:
        return next((r for r, (c, ref, _) in self.refunds.items() if c == capture_id and ref == reference), None)

    async def refunded(self, capture_id: str) -> Money:
        currency = self.captures[capture_id][1].currency
        return total([amount for c, _, amount in self.refunds.values() if c == capture_id], currency)

    async def add_refund(self, refund_id: str, capture_id: str, reference: str, amount: Money) -> None:
        self.refunds[refund_id] = (capture_id, reference, amount)
