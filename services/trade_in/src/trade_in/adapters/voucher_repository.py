"""Vouchers on PostgreSQL: all of the vouchers' SQL.

Decisions lock the vouchers they touch with `FOR UPDATE`, rows ordered by voucher id (PostgreSQL
locks rows as the sorted scan returns them), so two sales paying with the same vouchers queue
rather than deadlock. The sweeps claim with `SKIP LOCKED`: a voucher in use is left for the next
pass. What a decision reads of the ledgers is read after the lock, in the same transaction: the
open holds, the entries of the holds and sales it names, and the voucher's running balance
(`vouchers.balance_minor`, moved by a trigger in the statement that appends the entries,
`0003_voucher_running_balance.sql`), so a hot voucher's whole history is never read back per sale.
A refund onto a voucher is a credit entry too (`0005_voucher_refunds.sql`); what a return could not
credit is kept in `voucher_refund_shortfalls`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from trade_in.domain.voucher_ledger import Change, effect
from trade_in.domain.vouchers import Entry, RefundShortfall, Voucher, VoucherAlreadyIssued
from trade_in.service_layer.voucher_ports import VoucherView

# SUM of BIGINT is NUMERIC in PostgreSQL (a Decimal in Python): cast back, money is integer minor units.
_BALANCE = (
    "COALESCE(SUM(CASE WHEN e.kind IN ('issue', 'release', 'refund') THEN e.amount_minor ELSE -e.amount_minor END), 0)"
    "::bigint"
)


_WHOLE_LEDGER = "SELECT * FROM voucher_entries WHERE voucher_id = ANY($1::text[]) ORDER BY entry_id"
# What a decision reads: open holds, every entry of the holds it names, the redemptions and refunds
# of the sales it names. Each branch has an index of its own (0003, 0005): none of them reads a
# voucher's history of redemptions.
_WORKING_LEDGER = """
SELECT * FROM voucher_entries h
WHERE h.voucher_id = ANY($1::text[]) AND h.kind = 'hold'
  AND NOT EXISTS (SELECT 1 FROM voucher_entries r WHERE r.kind = 'release' AND r.hold_id = h.hold_id)
UNION
SELECT * FROM voucher_entries WHERE hold_id = ANY($3::text[]) AND voucher_id = ANY($1::text[])
UNION
SELECT * FROM voucher_entries WHERE kind = 'redeem' AND voucher_id = ANY($1::text[]) AND sale_id = ANY($2::text[])
UNION
SELECT * FROM voucher_entries WHERE kind = 'refund' AND voucher_id = ANY($1::text[]) AND sale_id = ANY($2::text[])
ORDER BY entry_id
"""


class PostgresVoucherRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, voucher: Voucher) -> None:
        try:
            await self.conn.execute(
                """
                INSERT INTO vouchers (voucher_id, code_hash, code_hint, market, currency, amount_minor,
                                      customer_id, trade_in_id, issued_at, expires_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """,
                voucher.voucher_id,
                voucher.code_hash,
                voucher.code_hint,
                voucher.market,
                voucher.currency,
                voucher.amount.amount_minor,
                voucher.customer_id,
                voucher.trade_in_id,
                voucher.issued_at,
                voucher.expires_at,
            )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "vouchers_one_per_trade_in":
                raise VoucherAlreadyIssued(
                    f"trade-in {voucher.trade_in_id} was already paid with a voucher", field="trade_in_id"
                ) from error
            raise  # a code hash met twice: 80 random bits make it a bug, not bad luck

    async def lock_by_code_hashes(
        self, code_hashes: Sequence[str], *, sales: Sequence[str] = (), holds: Sequence[str] = ()
    ) -> dict[str, Voucher]:
        rows = await self.conn.fetch(
            "SELECT * FROM vouchers WHERE code_hash = ANY($1::text[]) ORDER BY voucher_id FOR UPDATE", list(code_hashes)
        )
        return {v.code_hash: v for v in await self._with_working_ledgers(rows, sales, holds)}

    async def lock(self, voucher_ids: Sequence[str]) -> list[Voucher]:
        rows = await self.conn.fetch(
            "SELECT * FROM vouchers WHERE voucher_id = ANY($1::text[]) ORDER BY voucher_id FOR UPDATE",
            list(voucher_ids),
        )
        return await self._with_working_ledgers(rows)

    async def claim_holds_due(self, at: datetime, limit: int) -> list[Voucher]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM vouchers WHERE voucher_id IN (
                SELECT h.voucher_id FROM voucher_entries h
                WHERE h.kind = 'hold' AND h.held_until <= $1
                  AND NOT EXISTS (SELECT 1 FROM voucher_entries r WHERE r.kind = 'release' AND r.hold_id = h.hold_id)
            )
            ORDER BY voucher_id LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return await self._with_working_ledgers(rows)

    async def claim_due_to_expire(self, at: datetime, limit: int) -> list[Voucher]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM vouchers WHERE expired_at IS NULL AND expires_at <= $1
            ORDER BY voucher_id LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return await self._with_working_ledgers(rows)

    async def save(self, changes: Sequence[Change]) -> None:
        entries = [(c.voucher_id, e) for c in changes for e in c.entries]
        if entries:
            # One statement for all of them: the balance trigger runs once per statement and sees
            # a conversion's release and redemption together, as one move of the balance.
            await self.conn.execute(
                """
                INSERT INTO voucher_entries (voucher_id, kind, amount_minor, hold_id, held_until, sale_id, reason, at,
                                             return_id)
                SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::timestamptz[],
                                     $6::text[], $7::text[], $8::timestamptz[], $9::text[])
                """,
                [v for v, _ in entries],
                [e.kind for _, e in entries],
                [e.amount.amount_minor for _, e in entries],
                [e.hold_id for _, e in entries],
                [e.held_until for _, e in entries],
                [e.sale_id for _, e in entries],
                [e.reason for _, e in entries],
                [e.at for _, e in entries],
                [e.return_id for _, e in entries],
            )
        expired = [(c.voucher_id, c.expired_at) for c in changes if c.expired_at is not None]
        if expired:
            await self.conn.executemany("UPDATE vouchers SET expired_at = $2 WHERE voucher_id = $1", expired)
        # A refund opened the voucher again: the expiry sweep finds it anew once `expires_at` passes.
        moved = [(c.voucher_id, c.expires_at) for c in changes if c.expires_at is not None]
        if moved:
            await self.conn.executemany(
                "UPDATE vouchers SET expires_at = $2, expired_at = NULL WHERE voucher_id = $1", moved
            )
        shortfalls = [s for c in changes for s in c.shortfalls]
        if shortfalls:
            await self.conn.executemany(
                """
                INSERT INTO voucher_refund_shortfalls (return_id, code_hash, voucher_id, sale_id, currency,
                                                       asked_minor, credited_minor, reason, at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (return_id, code_hash) DO NOTHING
                """,
                [
                    (
                        s.return_id,
                        s.code_hash,
                        s.voucher_id,
                        s.sale_id,
                        s.asked.currency,
                        s.asked.amount_minor,
                        s.credited.amount_minor,
                        s.reason,
                        s.at,
                    )
                    for s in shortfalls
                ],
            )

    async def refund_shortfalls(self, sale_id: str) -> list[RefundShortfall]:
        rows = await self.conn.fetch(
            """
            SELECT s.*, v.currency AS voucher_currency FROM voucher_refund_shortfalls s
            LEFT JOIN vouchers v ON v.voucher_id = s.voucher_id
            WHERE s.sale_id = $1 ORDER BY s.recorded
            """,
            sale_id,
        )
        return [
            RefundShortfall(
                r["return_id"],
                r["sale_id"],
                r["code_hash"],
                r["voucher_id"],
                Money(r["asked_minor"], r["currency"]),
                Money(r["credited_minor"], r["voucher_currency"] or r["currency"]),
                r["reason"],
                r["at"],
            )
            for r in rows
        ]

    async def view_by_code_hash(self, code_hash: str) -> VoucherView | None:
        return await self._view("v.code_hash = $1", code_hash)

    async def view(self, voucher_id: str) -> VoucherView | None:
        return await self._view("v.voucher_id = $1", voucher_id)

    async def _view(self, where: str, value: str) -> VoucherView | None:
        row = await self.conn.fetchrow(
            f"""
            SELECT v.*, {_BALANCE} AS balance_minor
            FROM vouchers v LEFT JOIN voucher_entries e ON e.voucher_id = v.voucher_id
            WHERE {where} GROUP BY v.voucher_id
            """,
            value,
        )
        if row is None:
            return None
        voucher = (await self._with_ledgers([row]))[0]
        return VoucherView(voucher, Money(row["balance_minor"], voucher.currency))

    async def _with_working_ledgers(
        self, rows: Sequence[asyncpg.Record], sales: Sequence[str] = (), holds: Sequence[str] = ()
    ) -> list[Voucher]:
        """The vouchers with what a decision reads of their ledgers; the rest is carried as the
        difference between the running balance and the entries read."""
        vouchers = await self._with_ledgers(rows, _WORKING_LEDGER, list(sales), list(holds))
        for voucher, row in zip(vouchers, rows, strict=True):
            voucher.carried_minor = row["balance_minor"] - sum(effect(e) for e in voucher.entries)
        return vouchers

    async def _with_ledgers(
        self, rows: Sequence[asyncpg.Record], query: str = _WHOLE_LEDGER, *args: object
    ) -> list[Voucher]:
        vouchers = [_voucher(row) for row in rows]
        if not vouchers:
            return []
        by_id = {v.voucher_id: v for v in vouchers}
        entries = await self.conn.fetch(query, list(by_id), *args)
        for row in entries:
            voucher = by_id[row["voucher_id"]]
            voucher.entries.append(
                Entry(
                    row["kind"],
                    Money(row["amount_minor"], voucher.currency),
                    row["at"],
                    hold_id=row["hold_id"],
                    held_until=row["held_until"],
                    sale_id=row["sale_id"],
                    return_id=row["return_id"],
                    reason=row["reason"],
                )
            )
        return vouchers


def _voucher(row: asyncpg.Record) -> Voucher:
    return Voucher(
        row["voucher_id"],
        row["code_hash"],
        row["code_hint"],
        row["market"],
        Money(row["amount_minor"], row["currency"]),
        row["issued_at"],
        row["expires_at"],
        customer_id=row["customer_id"],
        trade_in_id=row["trade_in_id"],
        expired_at=row["expired_at"],
    )
