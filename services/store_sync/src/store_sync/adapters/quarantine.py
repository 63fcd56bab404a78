"""Quarantined partner tickets: kept with the reason until a replay maps them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key
from store_sync.service_layer.ports import Quarantined, ToQuarantine


class QuarantineRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, item: ToQuarantine, at: datetime) -> int:
        """Quarantine a ticket, or update the reason of its open entry (a ticket sent again)."""
        quarantine_id: int = await self.conn.fetchval(
            """
            INSERT INTO quarantine (shop_id, operator_id, source, ticket_key, client_txn_id, ticket, customer,
                subject_id, customer_id, reason, field, partner_sku, status, business_date, quarantined_at)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, 'open', $13, $14)
            ON CONFLICT (shop_id, ticket_key) WHERE status = 'open' DO UPDATE SET ticket = EXCLUDED.ticket,
                customer = coalesce(EXCLUDED.customer, quarantine.customer),
                subject_id = coalesce(EXCLUDED.subject_id, quarantine.subject_id),
                customer_id = coalesce(EXCLUDED.customer_id, quarantine.customer_id),
                reason = EXCLUDED.reason, field = EXCLUDED.field, partner_sku = EXCLUDED.partner_sku,
                business_date = EXCLUDED.business_date, attempts = quarantine.attempts + 1
            RETURNING quarantine_id
            """,
            item.shop_id,
            item.operator_id,
            item.source,
            item.ticket_key,
            item.client_txn_id,
            json.dumps(item.ticket),
            json.dumps(item.customer) if item.customer is not None else None,
            item.subject_id,
            item.customer_id,
            item.reason,
            item.field,
            item.partner_sku,
            item.business_date,
            at,
        )
        return quarantine_id

    async def put_all(self, items: Sequence[ToQuarantine], at: datetime) -> list[int]:
        # One upsert each: a ticket sent twice in one upload updates the entry the first one opened.
        return [await self.put(item, at) for item in items]

    async def resolve(self, outcomes: Sequence[tuple[str, str, str]], at: datetime) -> None:
        """Tickets (shop id, ticket key) that mapped at last, with what they became: their open
        entries are closed, in one statement."""
        if outcomes:
            await self.conn.execute(
                """
                UPDATE quarantine q SET status = 'replayed', replayed_at = $1, outcome = o.outcome, customer = NULL
                FROM unnest($2::text[], $3::text[], $4::text[]) AS o (shop_id, ticket_key, outcome)
                WHERE q.shop_id = o.shop_id AND q.ticket_key = o.ticket_key AND q.status = 'open'
                """,
                at,
                [shop_id for shop_id, _, _ in outcomes],
                [key for _, key, _ in outcomes],
                [outcome for _, _, outcome in outcomes],
            )

    async def still_open(self, quarantine_ids: Sequence[int]) -> set[int]:
        rows = await self.conn.fetch(
            "SELECT quarantine_id FROM quarantine WHERE quarantine_id = ANY($1::bigint[]) AND status = 'open'",
            list(quarantine_ids),
        )
        return {r["quarantine_id"] for r in rows}

    async def get(self, quarantine_id: int, *, for_update: bool = False) -> Quarantined | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM quarantine WHERE quarantine_id = $1{lock}", quarantine_id)
        return _item(row) if row is not None else None

    async def open_items(
        self,
        *,
        operator_id: str | None = None,
        shop_id: str | None = None,
        after: Key | None = None,
        limit: int | None = None,
    ) -> list[Quarantined]:
        (after_id,) = after or (None,)
        rows = await self.conn.fetch(
            """
            SELECT * FROM quarantine WHERE status = 'open'
                AND ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR shop_id = $2)
                AND ($3::bigint IS NULL OR quarantine_id > $3)
            ORDER BY quarantine_id LIMIT $4
            """,
            operator_id,
            shop_id,
            after_id,
            limit,
        )
        return [_item(r) for r in rows]

    async def listing(
        self, *, operator_id: str | None, shop_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Quarantined]:
        (after_id,) = after or (None,)
        rows = await self.conn.fetch(
            """
            SELECT * FROM quarantine
            WHERE ($1::text IS NULL OR operator_id = $1) AND ($2::text IS NULL OR shop_id = $2)
                AND ($3::text IS NULL OR status = $3) AND ($5::bigint IS NULL OR quarantine_id < $5)
            ORDER BY quarantine_id DESC LIMIT $4
            """,
            operator_id,
            shop_id,
            status,
            limit,
            after_id,
        )
        return [_item(r) for r in rows]

    async def open_counts(self, shop_id: str, business_dates: Iterable[date]) -> dict[date, int]:
        rows = await self.conn.fetch(
            """
            SELECT business_date, count(*) AS open FROM quarantine
            WHERE shop_id = $1 AND business_date = ANY($2::date[]) AND status = 'open'
            GROUP BY business_date
            """,
            shop_id,
            sorted(set(business_dates)),
        )
        return {r["business_date"]: r["open"] for r in rows}


def _item(row: Any) -> Quarantined:
    values = dict(row)
    values.pop("subject_id", None)
    values.pop("customer_id", None)
    values["ticket"] = json.loads(values["ticket"])
    values["customer"] = json.loads(values["customer"]) if values["customer"] else None
    return Quarantined(**values)
