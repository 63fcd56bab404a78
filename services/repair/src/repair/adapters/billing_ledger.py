"""The local billing ledger: the real implementation of the billing port until a payment provider
takes its place. Every attempt at a period's charge is a row of `billing_charges`; a period is paid
once at most (a unique index), and asked to charge a paid period again the ledger answers the first
charge. Declines are scripted per subscription (`billing_scripted_declines`, set by staff through
`PUT /subscriptions/{id}/scripted-declines`): the next N charges are declined with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import uuid4

from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from repair.domain.subscription_errors import RefundRefused
from repair.domain.subscriptions import Charge, PeriodDue
from repair.service_layer.subscription_ports import LedgerEntry

_COLUMNS = "charge_id, subscription_id, period_start, attempt, outcome, amount_minor, currency, reason, at"


class PostgresBillingLedger:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def _paid(self, due: PeriodDue) -> Record | None:
        return await self.conn.fetchrow(
            f"""
            SELECT {_COLUMNS} FROM billing_charges
            WHERE subscription_id = $1 AND period_start = $2 AND outcome = 'paid'
            """,
            due.subscription_id,
            due.period_start,
        )

    async def charge(self, due: PeriodDue, at: datetime) -> Charge:
        while True:
            paid = await self._paid(due)
            if paid is not None:
                return _charge(paid)
            reason = await self.conn.fetchval(
                """
                UPDATE billing_scripted_declines SET remaining = remaining - 1
                WHERE subscription_id = $1 AND remaining > 0 RETURNING reason
                """,
                due.subscription_id,
            )
            # Another transaction paying the same period waits on the unique index and then inserts
            # nothing: the loop reads its charge.
            inserted = await self.conn.fetchrow(
                f"""
                INSERT INTO billing_charges ({_COLUMNS})
                SELECT $1, $2, $3, COALESCE(MAX(attempt), 0) + 1, $4, $5, $6, $7, $8
                FROM billing_charges WHERE subscription_id = $2 AND period_start = $3
                ON CONFLICT DO NOTHING
                RETURNING {_COLUMNS}
                """,
                f"ch_{uuid4().hex}",
                due.subscription_id,
                due.period_start,
                "paid" if reason is None else "declined",
                due.amount.amount_minor,
                due.amount.currency,
                "" if reason is None else (reason or "declined"),
                at,
            )
            if inserted is not None:
                return _charge(inserted)

    async def charge_many(self, due: Sequence[PeriodDue], at: datetime) -> list[Charge]:
        """The batch in three statements: the periods paid already answer their first charge, the
        scripted declines are taken for the rest, and their attempts are inserted at once. A period
        another transaction charged meanwhile (nothing inserted for it) goes through `charge`."""
        if len({d.subscription_id for d in due}) != len(due):
            raise ValueError("a batch charges a subscription once at most")
        if not due:
            return []
        found = {r["subscription_id"]: _charge(r) for r in await self._paid_many(due)}
        unpaid = [d for d in due if d.subscription_id not in found]
        if unpaid:
            declines = {
                r["subscription_id"]: r["reason"] or "declined"
                for r in await self.conn.fetch(
                    """
                    UPDATE billing_scripted_declines d SET remaining = d.remaining - 1
                    FROM unnest($1::text[]) AS u(subscription_id)
                    WHERE d.subscription_id = u.subscription_id AND d.remaining > 0
                    RETURNING d.subscription_id, d.reason
                    """,
                    [d.subscription_id for d in unpaid],
                )
            }
            inserted = await self.conn.fetch(
                f"""
                INSERT INTO billing_charges ({_COLUMNS})
                SELECT u.charge_id, u.subscription_id, u.period_start,
                       COALESCE((SELECT MAX(c.attempt) FROM billing_charges c
                                 WHERE c.subscription_id = u.subscription_id AND c.period_start = u.period_start), 0)
                       + 1,
                       u.outcome, u.amount_minor, u.currency, u.reason, $8
                FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bigint[], $6::text[],
                            $7::text[])
                    AS u(charge_id, subscription_id, period_start, outcome, amount_minor, currency, reason)
                ON CONFLICT DO NOTHING
                RETURNING {_COLUMNS}
                """,
                [f"ch_{uuid4().hex}" for _ in unpaid],
                [d.subscription_id for d in unpaid],
                [d.period_start for d in unpaid],
                ["declined" if d.subscription_id in declines else "paid" for d in unpaid],
                [d.amount.amount_minor for d in unpaid],
                [d.amount.currency for d in unpaid],
                [declines.get(d.subscription_id, "") for d in unpaid],
                at,
            )
            found.update((r["subscription_id"], _charge(r)) for r in inserted)
        for d in due:
            if d.subscription_id not in found:  # raced by another transaction: the one-by-one way
                found[d.subscription_id] = await self.charge(d, at)
        return [found[d.subscription_id] for d in due]

    async def _paid_many(self, due: Sequence[PeriodDue]) -> list[Record]:
        return await self.conn.fetch(
            f"""
            SELECT {", ".join(f"c.{c.strip()}" for c in _COLUMNS.split(","))}
            FROM billing_charges c
            JOIN unnest($1::text[], $2::timestamptz[]) AS u(subscription_id, period_start)
              ON c.subscription_id = u.subscription_id AND c.period_start = u.period_start
            WHERE c.outcome = 'paid'
            """,
            [d.subscription_id for d in due],
            [d.period_start for d in due],
        )

    async def refund(self, charge_id: str, amount: Money, reason: str, at: datetime) -> LedgerEntry:
        # The charge's row is locked, so two refunds of one charge are decided one after the other.
        paid = await self.conn.fetchrow(
            f"SELECT {_COLUMNS} FROM billing_charges WHERE charge_id = $1 AND outcome = 'paid' FOR UPDATE", charge_id
        )
        if paid is None:
            raise RefundRefused(f"no paid charge {charge_id}", field="charge_id")
        refunded = await self.conn.fetchval(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM billing_refunds WHERE charge_id = $1", charge_id
        )
        left = paid["amount_minor"] - refunded
        if amount.currency != paid["currency"] or amount.amount_minor > left:
            raise RefundRefused(f"charge {charge_id} has {left} {paid['currency']} left to refund", field="amount")
        await self.conn.execute(
            "INSERT INTO billing_refunds (charge_id, amount_minor, currency, reason, at) VALUES ($1, $2, $3, $4, $5)",
            charge_id,
            amount.amount_minor,
            amount.currency,
            reason,
            at,
        )
        return LedgerEntry(
            "refund", charge_id, paid["subscription_id"], paid["period_start"], paid["attempt"], amount, at, reason
        )

    async def script_declines(self, subscription_id: str, count: int, reason: str) -> None:
        await self.conn.execute(
            """
            INSERT INTO billing_scripted_declines (subscription_id, remaining, reason) VALUES ($1, $2, $3)
            ON CONFLICT (subscription_id) DO UPDATE SET remaining = EXCLUDED.remaining, reason = EXCLUDED.reason
            """,
            subscription_id,
            count,
            reason,
        )

    async def entries(self, subscription_id: str) -> list[LedgerEntry]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM (
                SELECT entry_id, 0 AS refund, outcome AS kind, charge_id, subscription_id, period_start, attempt,
                       amount_minor, currency, reason, at
                FROM billing_charges WHERE subscription_id = $1
                UNION ALL
                SELECT r.entry_id, 1, 'refund', r.charge_id, c.subscription_id, c.period_start, c.attempt,
                       r.amount_minor, r.currency, r.reason, r.at
                FROM billing_refunds r JOIN billing_charges c USING (charge_id) WHERE c.subscription_id = $1
            ) entries ORDER BY at, refund, entry_id
            """,
            subscription_id,
        )
        return [
            LedgerEntry(
                r["kind"],
                r["charge_id"],
                r["subscription_id"],
                r["period_start"],
                r["attempt"],
                Money(r["amount_minor"], r["currency"]),
                r["at"],
                r["reason"],
            )
            for r in rows
        ]


def _charge(row: Record) -> Charge:
    return Charge(
        row["charge_id"],
        row["subscription_id"],
        row["period_start"],
        Money(row["amount_minor"], row["currency"]),
        row["attempt"],
        row["outcome"] == "paid",
        row["at"],
        row["reason"],
    )
