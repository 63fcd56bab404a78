"""Trade-ins on PostgreSQL: the row, its history, and the reads over them (all of their SQL)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any, cast

import asyncpg
from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates
from trade_in.domain.devices import DeviceIdentifier, IdentifierKind
from trade_in.domain.errors import DeviceAlreadyOpen
from trade_in.domain.events import Answers, Condition, Device, DomainEvent
from trade_in.domain.grades import GRADES
from trade_in.domain.trade_ins import OPEN, TradeIn, Transition
from trade_in.service_layer.ports import GradingAccuracy, TradeInQuery

_COLUMNS = (
    "trade_in_id, market, currency, customer_id, channel, shop_id, model_family, storage_gb, category, "
    "identifier_kind, identifier_value, declared_grade, declared_answers, offered_minor, voucher_bonus_bps, "
    "deny_listed_at_quote, status, quoted_at, expires_at, payout_method, shipment_reference, location_id, "
    "hold_reason, hold_detail, held_from, grade, findings, counter_offer_minor, answer_by, paid_minor, "
    "voucher_id, payout_reference, drop_off_id, shop_grade, unit_id, sku"
)
_PLACEHOLDERS = ", ".join(f"${n}" for n in range(1, 37))
# The open statuses written out in the SQL, not passed as a parameter: the planner uses the partial
# index `trade_ins_one_open_per_device` only when it can prove a query's statuses are among the
# index's, and a prepared statement's generic plan knows nothing of a parameter's value (it fell
# back to scanning every trade-in, once per quote naming an IMEI).
_OPEN_IN = ", ".join(f"'{status}'" for status in sorted(OPEN))
_HISTORY_COLUMNS = "trade_in_id, seq, from_status, to_status, by_whom, at, note"


def _values(t: TradeIn) -> tuple[Any, ...]:
    identifier = t.device.identifier
    return (
        t.trade_in_id,
        t.market,
        t.offered.currency,
        t.customer_id,
        t.channel,
        t.shop_id,
        t.device.model_family,
        t.device.storage_gb,
        t.device.category,
        identifier.kind if identifier else None,
        identifier.value if identifier else None,
        t.declared.grade if t.declared else None,
        json.dumps(asdict(t.declared.answers)) if t.declared else None,
        t.offered.amount_minor,
        t.voucher_bonus_bps,
        t.deny_listed_at_quote,
        t.status,
        t.quoted_at,
        t.expires_at,
        t.payout_method,
        t.shipment_reference,
        t.location_id,
        t.hold_reason,
        t.hold_detail,
        t.held_from,
        t.grade,
        json.dumps(list(t.findings)),
        t.counter_offer.amount_minor if t.counter_offer else None,
        t.answer_by,
        t.paid.amount_minor if t.paid else None,
        t.voucher_id,
        t.payout_reference,
        t.drop_off_id,
        t.shop_grade,
        t.unit_id,
        t.sku,
    )


def _money(amount: int | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount, currency)


def _trade_in(row: Record, history: list[Record]) -> TradeIn:
    currency = row["currency"]
    identifier = (
        DeviceIdentifier(cast(IdentifierKind, row["identifier_kind"]), row["identifier_value"])
        if row["identifier_value"] is not None
        else None
    )
    declared = (
        Condition(row["declared_grade"], Answers(**json.loads(row["declared_answers"])))
        if row["declared_grade"] is not None
        else None
    )
    return TradeIn(
        trade_in_id=row["trade_in_id"],
        market=row["market"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        shop_id=row["shop_id"],
        device=Device(row["model_family"], row["storage_gb"], row["category"], identifier),
        declared=declared,
        offered=Money(row["offered_minor"], currency),
        voucher_bonus_bps=row["voucher_bonus_bps"],
        quoted_at=row["quoted_at"],
        expires_at=row["expires_at"],
        status=row["status"],
        history=[Transition(h["from_status"], h["to_status"], h["by_whom"], h["at"], h["note"]) for h in history],
        deny_listed_at_quote=row["deny_listed_at_quote"],
        payout_method=row["payout_method"],
        shipment_reference=row["shipment_reference"],
        location_id=row["location_id"],
        hold_reason=row["hold_reason"],
        hold_detail=row["hold_detail"],
        held_from=row["held_from"],
        grade=row["grade"],
        findings=tuple(json.loads(row["findings"])),
        counter_offer=_money(row["counter_offer_minor"], currency),
        answer_by=row["answer_by"],
        paid=_money(row["paid_minor"], currency),
        voucher_id=row["voucher_id"],
        payout_reference=row["payout_reference"],
        drop_off_id=row["drop_off_id"],
        shop_grade=row["shop_grade"],
        unit_id=row["unit_id"],
        sku=row["sku"],
    )


def _history_rows(trade_in: TradeIn) -> list[tuple[Any, ...]]:
    return [
        (trade_in.trade_in_id, seq, t.from_status, t.to_status, t.by, t.at, t.note)
        for seq, t in enumerate(trade_in.history)
    ]


def _already_open(trade_in: TradeIn) -> DeviceAlreadyOpen:
    identifier = trade_in.device.identifier
    named = f"{identifier.kind} {identifier.value}" if identifier else "the device"
    return DeviceAlreadyOpen(f"{named} is in another open trade-in", field="identifier")


class PostgresTradeIns:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def _load(self, rows: list[Record]) -> list[TradeIn]:
        ids = [row["trade_in_id"] for row in rows]
        history = await self.conn.fetch(
            "SELECT * FROM trade_in_history WHERE trade_in_id = ANY($1::text[]) ORDER BY trade_in_id, seq", ids
        )
        by_id: dict[str, list[Record]] = {}
        for entry in history:
            by_id.setdefault(entry["trade_in_id"], []).append(entry)
        found = [_trade_in(row, by_id.get(row["trade_in_id"], [])) for row in rows]
        for trade_in in found:
            self.seen.append(trade_in)
        return found

    async def get(self, trade_in_id: str, *, for_update: bool = False) -> TradeIn | None:
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM trade_ins WHERE trade_in_id = $1{lock}", trade_in_id)
        return None if row is None else (await self._load([row]))[0]

    async def add(self, trade_in: TradeIn) -> None:
        # The row and its history in one statement: a quote is on the hot path, one round trip less.
        history = _history_rows(trade_in)
        try:
            await self.conn.execute(
                f"""
                WITH added AS (INSERT INTO trade_ins ({_COLUMNS}) VALUES ({_PLACEHOLDERS}))
                INSERT INTO trade_in_history ({_HISTORY_COLUMNS})
                SELECT * FROM unnest($37::text[], $38::int[], $39::text[], $40::text[], $41::text[],
                                     $42::timestamptz[], $43::text[])
                """,
                *_values(trade_in),
                *([row[n] for row in history] for n in range(7)),
            )
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "trade_ins_one_open_per_device":
                raise _already_open(trade_in) from error
            raise
        self.seen.append(trade_in)

    async def save(self, trade_in: TradeIn) -> None:
        names = [name.strip() for name in _COLUMNS.split(",")]
        assignments = ", ".join(f"{name} = ${n}" for n, name in enumerate(names, start=1) if n > 1)
        try:
            await self.conn.execute(f"UPDATE trade_ins SET {assignments} WHERE trade_in_id = $1", *_values(trade_in))
        except asyncpg.UniqueViolationError as error:
            if error.constraint_name == "trade_ins_one_open_per_device":
                raise _already_open(trade_in) from error
            raise
        await self._append_history(trade_in)
        self.seen.append(trade_in)

    async def _append_history(self, trade_in: TradeIn) -> None:
        # The history is appended: entries already stored keep their place (and their content).
        await self.conn.executemany(
            f"""
            INSERT INTO trade_in_history ({_HISTORY_COLUMNS})
            VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (trade_in_id, seq) DO NOTHING
            """,
            _history_rows(trade_in),
        )

    async def open_with(self, identifier: DeviceIdentifier) -> str | None:
        found = await self.conn.fetchval(
            f"""
            SELECT trade_in_id FROM trade_ins
            WHERE identifier_kind = $1 AND identifier_value = $2 AND identifier_value IS NOT NULL
              AND status IN ({_OPEN_IN})
            """,
            identifier.kind,
            identifier.value,
        )
        return cast(str | None, found)

    async def by_drop_off(self, drop_off_id: str) -> TradeIn | None:
        row = await self.conn.fetchrow("SELECT * FROM trade_ins WHERE drop_off_id = $1", drop_off_id)
        return None if row is None else (await self._load([row]))[0]

    async def due(self, at: datetime, limit: int) -> list[TradeIn]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM trade_ins
            WHERE (status IN ('quoted', 'accepted') AND expires_at <= $1)
               OR (status = 'counter_offered' AND answer_by < $1)
            ORDER BY trade_in_id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return await self._load(list(rows))

    async def find(self, query: TradeInQuery, after: tuple[datetime, str] | None, limit: int) -> list[TradeIn]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM trade_ins
            WHERE ($1::text IS NULL OR customer_id = $1)
              AND ($2::text IS NULL OR status = $2)
              AND ($3::text IS NULL OR market = $3)
              AND ($4::text IS NULL OR shop_id = $4)
              AND ($5::timestamptz IS NULL OR (quoted_at, trade_in_id) < ($5, $6))
            ORDER BY quoted_at DESC, trade_in_id DESC
            LIMIT $7
            """,
            query.customer_id,
            query.status,
            query.market,
            query.shop_id,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return await self._load(list(rows))

    async def grading_accuracy(self, shop_id: str) -> GradingAccuracy:
        row = await self.conn.fetchrow(
            """
            SELECT count(*) AS checked,
                   count(*) FILTER (WHERE array_position($2::text[], grade)
                                       <= array_position($2::text[], shop_grade)) AS accurate
            FROM trade_ins
            WHERE shop_id = $1 AND drop_off_id IS NOT NULL AND grade IS NOT NULL AND shop_grade IS NOT NULL
            """,
            shop_id,
            list(GRADES),
        )
        assert row is not None
        return GradingAccuracy(shop_id, row["checked"], row["accurate"])
