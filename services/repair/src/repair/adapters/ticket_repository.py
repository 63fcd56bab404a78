"""Tickets on PostgreSQL: the row, its history, and the reads over them (all of their SQL).

A workshop move is two statements: the ticket read with its history and locked, then its new state
and the history entries it gained written at once. The insert, the update and their placeholders
follow `_COLUMNS` and `_CHANGING`: a new column is named there and in `_values` and `_ticket`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    "estimate_minor, resale_value_minor, beyond_economic_repair, quote_minor, answer_by, charged_minor, "
    "resale_value_source"
)
"""Every column, in the order of `_values`."""
_CHANGING = (
    "status, findings, parts, parts_reserved, estimate_minor, resale_value_minor, beyond_economic_repair, "
    "quote_minor, answer_by, charged_minor, currency, tracking_hash, resale_value_source"
)
"""What a save writes: the columns a move may change (the rest are fixed at intake)."""
_NAMES = _COLUMNS.split(", ")
_CHANGING_AT = tuple(_NAMES.index(column) for column in _CHANGING.split(", "))
_HISTORY = "ticket_history (ticket_id, seq, from_status, to_status, by_actor, at, note)"


def _history_rows(first: int) -> str:
    """The history entries passed as arrays from parameter `first` on, one row each."""
    return (
        f"unnest(${first}::int[], ${first + 1}::text[], ${first + 2}::text[], ${first + 3}::text[], "
        f"${first + 4}::timestamptz[], ${first + 5}::text[]) AS h(seq, from_status, to_status, by_actor, at, note)"
    )


_ADD = f"""
WITH added AS (
    INSERT INTO tickets ({_COLUMNS}) VALUES ({", ".join(f"${n}" for n in range(1, len(_NAMES) + 1))})
    RETURNING ticket_id
)
INSERT INTO {_HISTORY}
SELECT added.ticket_id, h.* FROM added, {_history_rows(len(_NAMES) + 1)}
"""
_SAVE = f"""
WITH saved AS (
    UPDATE tickets SET ({_CHANGING}) = ROW({", ".join(f"${n}" for n in range(2, len(_CHANGING_AT) + 2))})
     WHERE ticket_id = $1
    RETURNING ticket_id
), appended AS (
    INSERT INTO {_HISTORY}
    SELECT saved.ticket_id, h.* FROM saved, {_history_rows(len(_CHANGING_AT) + 2)}
)
SELECT count(*) FROM saved
"""
_SELECT = """
SELECT t.*, ARRAY(
           SELECT ROW(h.from_status, h.to_status, h.by_actor, h.at, h.note)
             FROM ticket_history h
            WHERE h.ticket_id = t.ticket_id
            ORDER BY h.seq
       ) AS history,
       t.xmin = (SELECT s.xmin FROM tickets s WHERE s.ticket_id = t.ticket_id) AS fresh
  FROM tickets t
"""
"""A ticket with its history in one row, in one round trip.

`fresh` is false when a locking read waited for another transaction that changed the ticket: the
row is then the version that transaction committed, but the history, read with the statement's
snapshot, predates it. Such rows are read again, under the lock now held (see `_tracked`)."""
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
        t.resale_value_source,
    )


def _money(amount: int | None, currency: str | None) -> Money | None:
    return None if amount is None or currency is None else Money(amount, currency)


def _ticket(row: Record) -> Ticket:
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
        history=[Transition(*h) for h in row["history"]],
        findings=tuple(json.loads(row["findings"])),
        parts=tuple(PartNeed(p["part_sku"], p["quantity"]) for p in json.loads(row["parts"])),
        parts_reserved=row["parts_reserved"],
        estimate=_money(row["estimate_minor"], currency),
        resale_value=_money(row["resale_value_minor"], currency),
        resale_value_source=row["resale_value_source"],
        beyond_economic_repair=row["beyond_economic_repair"],
        quote=_money(row["quote_minor"], currency),
        answer_by=row["answer_by"],
        charged=_money(row["charged_minor"], currency),
    )


def _history(t: Ticket, first: int) -> tuple[list[Any], ...]:
    """The entries from `first` on, as the arrays `_history_rows` reads (a column each)."""
    entries = t.history[first:]
    return (
        list(range(first, len(t.history))),
        [e.from_status for e in entries],
        [e.to_status for e in entries],
        [e.by for e in entries],
        [e.at for e in entries],
        [e.note for e in entries],
    )


class PostgresTicketRepository:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen
        # History is appended, never rewritten: a save writes only the entries past those stored.
        self._stored: dict[str, int] = {}

    async def _tracked(self, rows: Sequence[Record]) -> list[Ticket]:
        stale = [r["ticket_id"] for r in rows if not r["fresh"]]
        if stale:
            again = {
                r["ticket_id"]: r
                for r in await self.conn.fetch(f"{_SELECT} WHERE t.ticket_id = ANY($1::text[])", stale)
            }
            rows = [again.get(r["ticket_id"], r) for r in rows]
        tickets = [_ticket(r) for r in rows]
        for ticket in tickets:
            self._stored[ticket.ticket_id] = len(ticket.history)
            self.seen.append(ticket)
        return tickets

    async def _one(self, where: str, *args: object) -> Ticket | None:
        row = await self.conn.fetchrow(f"{_SELECT} {where}", *args)
        return None if row is None else (await self._tracked([row]))[0]

    async def get(self, ticket_id: str, *, for_update: bool = False) -> Ticket | None:
        lock = " FOR UPDATE" if for_update else ""
        return await self._one(f"WHERE t.ticket_id = $1{lock}", ticket_id)

    async def add(self, ticket: Ticket) -> None:
        await self.conn.execute(_ADD, *_values(ticket), *_history(ticket, 0))
        self._stored[ticket.ticket_id] = len(ticket.history)
        self.seen.append(ticket)

    async def save(self, ticket: Ticket) -> None:
        """One statement: the row's new state and the history entries past those this repository
        read or wrote. A ticket it never read would send its whole history, which the history's key
        refuses: save what the same unit of work loaded."""
        values = _values(ticket)
        saved = await self.conn.fetchval(
            _SAVE,
            ticket.ticket_id,
            *(values[i] for i in _CHANGING_AT),
            *_history(ticket, self._stored.get(ticket.ticket_id, 0)),
        )
        if not saved:
            raise LookupError(f"ticket {ticket.ticket_id} is not stored: add it before saving it")
        self._stored[ticket.ticket_id] = len(ticket.history)
        self.seen.append(ticket)

    async def by_drop_off(self, drop_off_id: str) -> Ticket | None:
        return await self._one("WHERE t.drop_off_id = $1", drop_off_id)

    async def by_tracking_hash(self, tracking_hash: str) -> Ticket | None:
        return await self._one("WHERE t.tracking_hash = $1", tracking_hash)

    async def find(self, query: TicketQuery, after: tuple[datetime, str] | None, limit: int) -> list[Ticket]:
        rows = await self.conn.fetch(
            f"""
            {_SELECT}
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
        return await self._tracked(rows)

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
            {_SELECT}
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
        return await self._tracked(rows)

    async def claim_unanswered_quotes(self, at: datetime, limit: int) -> list[Ticket]:
        # SKIP LOCKED: sweeps at once share the due quotes, and one a customer is answering right
        # now is left to that answer (it is refused past the deadline, and swept next time).
        rows = await self.conn.fetch(
            f"""
            {_SELECT}
             WHERE status = 'quoted' AND answer_by <= $1
             ORDER BY answer_by, ticket_id
             LIMIT $2
             FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return await self._tracked(rows)
