"""The till journal's SQL: what a shop already sent, and one upload written in a few statements
(one insert for all its transactions, one for the devices it left at the shop)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from store_sync.adapters.waiting_returns import from_waiting, waiting_return
from store_sync.domain.days import DayTotals
from store_sync.domain.journal import WAITING, Entry, OnRecord, ShopJournal, Submitted
from store_sync.domain.shops import Shop
from store_sync.domain.tax import TaxSplit
from store_sync.domain.transactions import Return

_INSERT = """
INSERT INTO pos_transactions (shop_id, client_txn_id, kind, canonical_id, fingerprint, source, status, occurred_at,
    business_date, amount_minor, tax_minor, currency, subject_id, customer_id, sale_txn_id, waiting)
SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[],
    $9::date[], $10::bigint[], $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[], $16::jsonb[])
"""

_DAYS = """
SELECT day AS business_date,
    count(t.kind) FILTER (WHERE t.kind = 'sale') AS sales,
    coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'sale'), 0) AS sales_amount,
    coalesce(sum(t.tax_minor) FILTER (WHERE t.kind = 'sale'), 0) AS sales_tax,
    count(t.kind) FILTER (WHERE t.kind = 'return') AS returns,
    coalesce(sum(t.amount_minor) FILTER (WHERE t.kind = 'return'), 0) AS refunds,
    count(t.kind) FILTER (WHERE t.kind = 'trade_in') AS trade_ins,
    count(t.kind) FILTER (WHERE t.kind = 'repair') AS repairs
FROM unnest($2::date[]) AS day
LEFT JOIN pos_transactions t ON t.shop_id = $1 AND t.business_date = day AND t.status = 'recorded'
GROUP BY day
"""


class JournalRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def open(self, shop: Shop, batch: Sequence[Submitted]) -> ShopJournal:
        """The shop's journal for this upload (the shop's row is locked): which of its ids, and of
        the sales its returns name, are on record, and which waiting returns its sales release."""
        ids = {item.txn.client_txn_id for item in batch}
        ids |= {item.txn.sale_txn_id for item in batch if isinstance(item.txn, Return) and item.txn.sale_txn_id}
        sales = [item.txn.client_txn_id for item in batch if item.txn.KIND == "sale"]
        rows = await self.conn.fetch(
            """
            SELECT * FROM pos_transactions
            WHERE shop_id = $1
                AND (client_txn_id = ANY($2::text[]) OR (status = 'waiting_for_sale' AND sale_txn_id = ANY($3::text[])))
            """,
            shop.shop_id,
            list(ids),
            sales,
        )
        on_record = {
            r["client_txn_id"]: OnRecord(
                r["client_txn_id"], r["kind"], r["canonical_id"], r["fingerprint"], r["status"]
            )
            for r in rows
            if r["client_txn_id"] in ids
        }
        released_by = set(sales)
        waiting = [r for r in rows if r["status"] == WAITING and r["sale_txn_id"] in released_by]
        return ShopJournal(shop, on_record, [_waiting_entry(row) for row in waiting])

    async def save(self, journal: ShopJournal) -> None:
        shop = journal.shop
        if journal.entries:
            columns: list[list[Any]] = [[] for _ in range(15)]
            for entry in journal.entries:
                for column, value in zip(columns, _row(entry, shop.currency), strict=True):
                    column.append(value)
            await self.conn.execute(_INSERT, shop.shop_id, *columns)
        if journal.released:
            await self.conn.execute(
                """
                UPDATE pos_transactions SET status = 'recorded', waiting = NULL
                WHERE shop_id = $1 AND client_txn_id = ANY($2::text[])
                """,
                shop.shop_id,
                [entry.txn.client_txn_id for entry in journal.released],
            )
        if journal.collected:
            await self.conn.executemany(
                """
                INSERT INTO collected_devices (source_id, unit_id, shop_id, kind, sku, identifier_kind, identifier,
                    collected_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING
                """,
                [
                    (
                        c.device.source_id,
                        c.device.unit_id,
                        c.shop_id,
                        c.device.kind,
                        c.device.sku,
                        c.device.identifier_kind,
                        c.device.identifier,
                        c.collected_at,
                    )
                    for c in journal.collected
                ],
            )

    async def days(self, shop: Shop, business_dates: Iterable[date]) -> dict[date, DayTotals]:
        """What is recorded of each of these business days of the shop."""
        rows = await self.conn.fetch(_DAYS, shop.shop_id, sorted(set(business_dates)))
        return {row["business_date"]: _totals(row, shop.currency) for row in rows}


def _totals(row: Any, currency: str) -> DayTotals:
    return DayTotals(
        sales=row["sales"],
        sales_amount=Money(int(row["sales_amount"]), currency),
        returns=row["returns"],
        refunds=Money(int(row["refunds"]), currency),
        trade_ins=row["trade_ins"],
        repairs=row["repairs"],
        sales_tax=Money(int(row["sales_tax"]), currency),
    )


def _row(entry: Entry, currency: str) -> tuple[Any, ...]:
    txn = entry.txn
    waiting = None
    if entry.status == WAITING:
        assert isinstance(txn, Return)
        waiting = waiting_return(txn, entry.customer)
    customer = entry.customer
    return (
        txn.client_txn_id,
        txn.KIND,
        entry.canonical_id,
        entry.fingerprint,
        entry.source,
        entry.status,
        txn.occurred_at,
        entry.business_date,
        entry.tax.gross,
        entry.tax.tax,
        currency,
        customer.subject_id if customer else None,
        customer.customer_id if customer else None,
        entry.sale_txn_id,
        waiting,
    )


def _waiting_entry(row: Any) -> Entry:
    ret, customer = from_waiting(row["waiting"])
    gross, tax = row["amount_minor"], row["tax_minor"]
    return Entry(
        txn=ret,
        canonical_id=row["canonical_id"],
        fingerprint=row["fingerprint"],
        source=row["source"],
        business_date=row["business_date"],
        status=row["status"],
        tax=TaxSplit(gross, gross - tax, tax),
        subject_id=row["subject_id"],
        customer=customer,
        stored=True,
    )
