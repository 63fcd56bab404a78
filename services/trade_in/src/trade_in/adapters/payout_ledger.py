"""Bank transfers, locally: a ledger table with one row per trade-in, the real implementation of
`Payouts` until a payment provider takes its place."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection


class PostgresPayoutLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def transfer(self, trade_in_id: str, amount: Money, at: datetime) -> str:
        # The primary key is the idempotency key: asked again, the first transfer's reference.
        await self.conn.execute(
            """
            INSERT INTO payouts (trade_in_id, reference, amount_minor, currency, paid_at)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (trade_in_id) DO NOTHING
            """,
            trade_in_id,
            f"PAY-{uuid4().hex[:16].upper()}",
            amount.amount_minor,
            amount.currency,
            at,
        )
        reference = await self.conn.fetchval("SELECT reference FROM payouts WHERE trade_in_id = $1", trade_in_id)
        return str(reference)
