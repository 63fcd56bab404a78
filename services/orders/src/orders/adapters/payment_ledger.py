"""The local payment ledger's SQL (tables `ledger_*` in the orders database)."""

from __future__ import annotations

from typing import Any

from orders.domain.payments import Authorization
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection


class PaymentLedger:
    """Runs on the caller's connection, so a ledger entry commits or rolls back with the order."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def approved_authorization(self, order_id: str) -> Authorization | None:
        row = await self.conn.fetchrow("SELECT * FROM ledger_authorizations WHERE order_id = $1 AND approved", order_id)
        return _authorization(row) if row is not None else None

    async def authorization(self, authorization_id: str) -> Authorization | None:
        # Locked: two captures of one authorisation cannot both pass the limit check.
        row = await self.conn.fetchrow(
            "SELECT * FROM ledger_authorizations WHERE authorization_id = $1 FOR UPDATE", authorization_id
        )
        return _authorization(row) if row is not None else None

    async def add_authorization(self, order_id: str, authorization: Authorization) -> None:
        await self.conn.execute(
            """
            INSERT INTO ledger_authorizations (authorization_id, order_id, amount_minor, currency, approved,
                decline_reason)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            authorization.authorization_id,
            order_id,
            authorization.amount.amount_minor,
            authorization.amount.currency,
            authorization.approved,
            authorization.decline_reason,
        )

    async def captured(self, authorization_id: str) -> Money:
        row = await self.conn.fetchrow(
            """
            SELECT a.currency, COALESCE(sum(c.amount_minor), 0)::bigint AS amount
            FROM ledger_authorizations a LEFT JOIN ledger_captures c ON c.authorization_id = a.authorization_id
            WHERE a.authorization_id = $1 GROUP BY a.currency
            """,
            authorization_id,
        )
        assert row is not None  # only asked about an authorisation or capture it has
        return Money(int(row["amount"]), row["currency"])

    async def add_capture(self, capture_id: str, authorization_id: str, amount: Money) -> None:
        await self.conn.execute(
            """
            INSERT INTO ledger_captures (capture_id, authorization_id, amount_minor, currency) VALUES ($1, $2, $3, $4)
            """,
            capture_id,
            authorization_id,
            amount.amount_minor,
            amount.currency,
        )

    async def capture_amount(self, capture_id: str) -> Money | None:
        # Locked: two refunds of one capture cannot both pass the limit check.
        row = await self.conn.fetchrow(
            "SELECT amount_minor, currency FROM ledger_captures WHERE capture_id = $1 FOR UPDATE", capture_id
        )
        return Money(row["amount_minor"], row["currency"]) if row is not None else None

    async def refund_for(self, capture_id: str, reference: str) -> str | None:
        refund_id: str | None = await self.conn.fetchval(
            "SELECT refund_id FROM ledger_refunds WHERE capture_id = $1 AND reference = $2", capture_id, reference
        )
        return refund_id

    async def refunded(self, capture_id: str) -> Money:
        row = await self.conn.fetchrow(
            """
            SELECT c.currency, COALESCE(sum(r.amount_minor), 0)::bigint AS amount
            FROM ledger_captures c LEFT JOIN ledger_refunds r ON r.capture_id = c.capture_id
            WHERE c.capture_id = $1 GROUP BY c.currency
            """,
            capture_id,
        )
        assert row is not None  # only asked about an authorisation or capture it has
        return Money(int(row["amount"]), row["currency"])

    async def add_refund(self, refund_id: str, capture_id: str, reference: str, amount: Money) -> None:
        await self.conn.execute(
            """
            INSERT INTO ledger_refunds (refund_id, capture_id, reference, amount_minor, currency)
            VALUES ($1, $2, $3, $4, $5)
            """,
            refund_id,
            capture_id,
            reference,
            amount.amount_minor,
            amount.currency,
        )


def _authorization(row: Any) -> Authorization:
    return Authorization(
        row["authorization_id"], Money(row["amount_minor"], row["currency"]), row["approved"], row["decline_reason"]
    )
