"""Tickets on PostgreSQL: the row, its history, and the reads over them (all of their SQL)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from asyncpg import Record

from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates
from repair.domain.devices import Category, Device, DeviceIdentifier, IdentifierKind
from repair.domain.events import DomainEvent, PartNeed
from repair.domain.tickets import OPEN, Ticket, Transition
from repair.service_layer.ports import OpenTicketQuery, TicketQuery

_COLUMNS = (
    "ticket_id, market, channel, shop_id, drop_off_id, customer_id, identifier_kind, identifier_value, category, "
    "model, unit_id, bought_from_us, symptoms, photos, shipment_reference, centre_id, tracking_hash, coverage, "
    "coverage_reason, subscription_id, opened_at, status, currency, findings, parts, parts_reserved, "
    "estimate_minor, resale_value_minor, beyond_economic_repair, quote_minor, answer_by, charged_minor"
)
_PLACEHOLDERS = ", ".join(f"${n}" for n in range(1, 33))
_CHANGING = (
    "status = $2, findings = $3, parts = $4, parts_reserved = $5, estimate_minor = $6, resale_value_minor = $7, "
    "beyond_economic_repair = $8, quote_minor = $9, answer_by = $10, charged_minor = $11, currency = $12, "
    "tracking_hash = $13"
)
# Written out, not a parameter, so the planner matches the partial index `tickets_open_oldest` (0003_sla.sql).
_OPEN = ", ".join(f"'{status}'" for status in sorted(OPEN))


def _minor(amount: Money | None) -> int | None:
    return None if amount is None else amount.amount_minor


def _currency(t: Ticket) -> str | None:
    money = t.estimate or t.resale_value or t.quote or t.charged
    return money.currency if money is not None else None


def _parts(t: Ticket) -> str:
    return json.dumps([{"part_sku": p.part_sku, "quantity": p.quantity} for p in t.parts])


def _values(t: Ticket) -> tuple[Any, ...]:
    return (
        t.ticket_id,
        t.market,
        t.channel,
        t.shop_id,
        t.drop_off_id,
        t.customer_id,
        t.device.identifier.kind,
        t.device.identifier.value,
        t.device.category,
        t.device.model,
        t.unit_id,
        t.bought_from_us,
        t.symptoms,
        json.dumps(list(t.photos)),
        t.shipment_reference,
        t.centre_id,
        t.tracking_hash,
        t.coverage,
        t.coverage_reason,
        t.subscription_id,
        t.opened_at,
        t.status,
        _currency(t),
        json.dumps(list(t.findings)),
        _parts(t),
        t.parts_reserved,
        _minor(t.estimate),
        _minor(t.resale_value),
        t.beyond_economic_repair,
        _minor(t.quote),
        t.answer_by,
        _minor(t.charged),
    )


def _money(amount: int | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(amount, currency)


def _ticket(row: Record, history: list[Record]) -> Ticket:
    currency = row["currency"]
    return Ticket(
        ticket_id=row["ticket_id"],
        market=row["market"],
        channel=row["channel"],
        shop_id=row["shop_id"],
        drop_off_id=row["drop_off_id"],
        customer_id=row["customer_id"],
        device=Device(
            DeviceIdentifier(cast(IdentifierKind, row["identifier_kind"]), row["identifier_value"]),
            cast(Category, row["category"]),
            row["model"],
        ),
        unit_id=row["unit_id"],
        bought_from_us=row["bought_from_us"],
        symptoms=row["symptoms"],
        photos=tuple(json.loads(row["photos"])),
        shipment_reference=row["shipment_reference"],
        centre_id=row["centre_id"],
        tracking_hash=row["tracking_hash"],
        coverage=row["coverage"],
        coverage_reason=row["coverage_reason"],
        subscription_id=row["subscription_id"],
        opened_at=row["opened_at"],
        status=row["status"],
        history=[Transition(h["from_status"], h["to_status"], h["by_actor"], h["at"], h["note"]) for h in history],
        findings=tuple(json.loads(row["findings"])),
        parts=tuple(PartNeed(p["part_sku"], p["quantity"]) for p in json.loads(row["parts"])),
        parts_reserved=row["parts_reserved"],
        estimate=_money(row["estimate_minor"], currency),
        resale_value=_money(row["resale_value_minor"], currency),
        beyond_economic_repair=row["beyond_economic_repair"],
        quote=_money(row["quote_minor"], currency),
        answer_by=row["answer_by"],
        charged=_money(row["charged_minor"], currency),
    )


class PostgresTicketRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def _loaded(self, rows: list[Record]) -> list[Ticket]:
        if not rows:
            return []
        ids = [r["ticket_id"] for r in rows]
        history: dict[str, list[Record]] = {i: [] for i in ids}
        for h in await self.conn.fetch(
            "SELECT * FROM ticket_history WHERE ticket_id = ANY($1::text[]) ORDER BY ticket_id, seq", ids
        ):
            history[h["ticket_id"]].append(h)
        tickets = [_ticket(r, history[r["ticket_id"]]) for r in rows]
        for ticket in tickets:
            self.seen.append(ticket)
        return tickets

    async def _one(self, sql: str, *args: object) -> Ticket | None:
        row = await self.conn.fetchrow(sql, *args)
        return None if row is None else (await self._loaded([row]))[0]

    async def get(self, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
        lock = " FOR UPDATE" if for_update else ""
        return await self._one(f"SELECT * FROM tickets WHERE ticket_id = $1{lock}", ticket_id)

    async def add(self, ticket: Ticket) -> None:
        await self.conn.execute(f"INSERT INTO tickets ({_COLUMNS}) VALUES ({_PLACEHOLDERS})", *_values(ticket))
        await self._history(ticket, 0)
        self.seen.append(ticket)

    async def save(self, ticket: Ticket) -> None:
        known = await self.conn.fetchval(
            f"UPDATE tickets SET {_CHANGING} WHERE ticket_id = $1 "
            "RETURNING (SELECT count(*) FROM ticket_history WHERE ticket_id = $1)",
            ticket.ticket_id,
            ticket.status,
            json.dumps(list(ticket.findings)),
            _parts(ticket),
            ticket.parts_reserved,
            _minor(ticket.estimate),
            _minor(ticket.resale_value),
            ticket.beyond_economic_repair,
            _minor(ticket.quote),
            ticket.answer_by,
            _minor(ticket.charged),
            _currency(ticket),
            ticket.tracking_hash,
        )
        # History is appended, never rewritten: only the entries the ticket gained are written.
        await self._history(ticket, int(known or 0))
        self.seen.append(ticket)

    async def _history(self, ticket: Ticket, known: int) -> None:
        rows = [
            (ticket.ticket_id, seq, t.from_status, t.to_status, t.by, t.at, t.note)
            for seq, t in enumerate(ticket.history)
            if seq >= known
        ]
        if rows:
            await self.conn.executemany(
                "INSERT INTO ticket_history (ticket_id, seq, from_status, to_status, by_actor, at, note) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7)",
                rows,
            )

    async def by_drop_off(self, drop_off_id: str) -> Ticket | None:
        return await self._one("SELECT * FROM tickets WHERE drop_off_id = $1", drop_off_id)

    async def by_tracking_hash(self, tracking_hash: str) -> Ticket | None:
        return await self._one("SELECT * FROM tickets WHERE tracking_hash = $1", tracking_hash)

    async def find(self, query: TicketQuery, after: tuple[datetime, str] | None, limit: int) -> list[Ticket]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM tickets
             WHERE ($1::text IS NULL OR customer_id = $1)
               AND ($2::text IS NULL OR status = $2)
               AND ($3::text IS NULL OR shop_id = $3)
               AND ($4::text IS NULL OR centre_id = $4)
               AND ($5::timestamptz IS NULL OR (opened_at, ticket_id) < ($5, $6))
             ORDER BY opened_at DESC, ticket_id DESC
             LIMIT $7
            """,
            query.customer_id,
            query.status,
            query.shop_id,
            query.centre_id,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return await self._loaded(list(rows))

    async def claims_for(self, subscription_id: str, identifier: DeviceIdentifier, since: datetime) -> int:
        count = await self.conn.fetchval(
            """
            SELECT count(*) FROM tickets
             WHERE subscription_id = $1 AND identifier_kind = $2 AND identifier_value = $3 AND opened_at >= $4
            """,
            subscription_id,
            identifier.kind,
            identifier.value,
            since,
        )
        return int(count or 0)

    async def open_tickets(
        self, query: OpenTicketQuery, opened_by: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Ticket]:
        rows = await self.conn.fetch(
            f"""
            SELECT * FROM tickets
             WHERE status IN ({_OPEN})
               AND opened_at <= $1
               AND ($2::text IS NULL OR market = $2)
               AND ($3::text IS NULL OR centre_id = $3)
               AND ($4::timestamptz IS NULL OR (opened_at, ticket_id) > ($4, $5))
             ORDER BY opened_at, ticket_id
             LIMIT $6
            """,
            opened_by,
            query.market,
            query.centre_id,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return await self._loaded(list(rows))

    async def claim_unanswered_quotes(self, at: datetime, limit: int) -> list[Ticket]:
        # SKIP LOCKED: sweeps at once share the due quotes, and one a customer is answering right
        # now is left to that answer (it is refused past the deadline, and swept next time).
        rows = await self.conn.fetch(
            """
            SELECT * FROM tickets
             WHERE status = 'quoted' AND answer_by <= $1
             ORDER BY answer_by, ticket_id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return await self._loaded(list(rows))
