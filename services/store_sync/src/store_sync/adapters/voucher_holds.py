"""The SQL of the tills' voucher holds."""

from __future__ import annotations

from typing import Any

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates
from store_sync.domain.events import DomainEvent
from store_sync.domain.voucher_holds import VoucherHold


class VoucherHoldRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, shop_id: str, hold_id: str) -> VoucherHold | None:
        row = await self.conn.fetchrow(
            "SELECT * FROM voucher_holds WHERE shop_id = $1 AND hold_id = $2", shop_id, hold_id
        )
        return self._loaded(row)

    async def by_request(self, request_id: str, *, for_update: bool = False) -> VoucherHold | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM voucher_holds WHERE request_id = $1{lock}", request_id)
        return self._loaded(row)

    async def add(self, hold: VoucherHold) -> None:
        self.seen.append(hold)
        await self.conn.execute(
            """
            INSERT INTO voucher_holds (shop_id, hold_id, request_id, code_hash, amount_minor, currency, market,
                reference, status, requested_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            """,
            hold.shop_id,
            hold.hold_id,
            hold.request_id,
            hold.code_hash,
            hold.amount.amount_minor,
            hold.amount.currency,
            hold.market,
            hold.reference,
            hold.status,
            hold.requested_at,
        )

    async def save_answer(self, hold: VoucherHold) -> None:
        await self.conn.execute(
            """
            UPDATE voucher_holds SET status = $2, voucher_id = $3, held_until = $4, refusal = $5, answered_at = $6
            WHERE request_id = $1
            """,
            hold.request_id,
            hold.status,
            hold.voucher_id,
            hold.held_until,
            hold.refusal,
            hold.answered_at,
        )

    def _loaded(self, row: Any) -> VoucherHold | None:
        if row is None:
            return None
        hold = VoucherHold(
            shop_id=row["shop_id"],
            hold_id=row["hold_id"],
            request_id=row["request_id"],
            code_hash=row["code_hash"],
            amount=Money(row["amount_minor"], row["currency"]),
            market=row["market"],
            requested_at=row["requested_at"],
            reference=row["reference"],
            status=row["status"],
            voucher_id=row["voucher_id"],
            held_until=row["held_until"],
            refusal=row["refusal"],
            answered_at=row["answered_at"],
        )
        self.seen.append(hold)
        return hold
