"""SQL of the customer read model's bulk writes: timeline, consents, contacts and analytics facts.

A batch's rows for every table go in one statement; rows that are already there are left alone
(or, for contacts, kept when newer), so a write can be repeated.

Existing rows are left out with NOT EXISTS, not ON CONFLICT DO NOTHING: the same result without
PostgreSQL's speculative insertion, which costs an extra WAL record and a lock for every row. The
keys of a statement are made unique first: the first row of a key wins, as it would with ON
CONFLICT (for contacts, the projection passes only each subject's latest capture). Two
transactions writing the same new key at the same moment cannot happen within one partition;
should it happen, one fails on the key and its events are applied again one by one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm.adapters.packed_columns import columns_of, unnest
from reloop_shared.db.types import Connection

TimelineRow = tuple[
    str, str, datetime, str | None, str | None, str | None, str | None, str | None, str, uuid.UUID, str, str | None
]
ConsentRow = tuple[str, str, datetime, str, str, str, bool | None, bool | None, bool | None]
ContactRow = tuple[str, str, str, datetime, uuid.UUID, str, str]
SaleRow = tuple[str, str, str, str, datetime, str | None, str, int, int, int, int]
ReturnRow = tuple[str, str, str, str, str, datetime, int, str, int]
VoucherRow = tuple[str, str, str, int, datetime]
RedemptionRow = tuple[str, str, str, str, str | None, datetime, str, int, int]
ShopTradeInRow = tuple[str, str, datetime, str, int]
GradingRow = tuple[str, str, bool, datetime]
SubscriptionRow = tuple[str, str, datetime]
SubscriptionStatusRow = tuple[str, str, str, datetime]
RepairTicketRow = tuple[str, str, str, datetime]

_TIMELINE = ("text", "text", "timestamptz", "text", "text", "text", "text", "text", "text", "uuid", "text", "text")
_CONSENTS = ("text", "text", "timestamptz", "text", "text", "text", "boolean", "boolean", "boolean")
_CONTACTS = ("text", "text", "text", "timestamptz", "uuid", "text", "text")
_SALES = ("text", "text", "text", "text", "timestamptz", "text", "text", "bigint", "int", "int", "int")
_RETURNS = ("text", "text", "text", "text", "text", "timestamptz", "int", "text", "bigint")
_VOUCHERS = ("text", "text", "text", "bigint", "timestamptz")
_REDEMPTIONS = ("text", "text", "text", "text", "text", "timestamptz", "text", "bigint", "bigint")
_SHOP_TRADE_INS = ("text", "text", "timestamptz", "text", "bigint")
_GRADINGS = ("text", "text", "boolean", "timestamptz")
_SUBSCRIPTIONS = ("text", "text", "timestamptz")
_SUBSCRIPTION_STATUSES = ("text", "text", "text", "timestamptz")
_REPAIR_TICKETS = ("text", "text", "text", "timestamptz")


@dataclass(frozen=True)
class Rows:
    """A batch's rows for every table, packed into one statement ahead of time (outside any lock)."""

    sql: str
    args: list[Any]


def rows_statement(
    timeline: Sequence[TimelineRow],
    consents: Sequence[ConsentRow],
    contacts: Sequence[ContactRow],
    sales: Sequence[SaleRow],
    returns: Sequence[ReturnRow],
    *,
    vouchers: Sequence[VoucherRow] = (),
    redemptions: Sequence[RedemptionRow] = (),
    shop_trade_ins: Sequence[ShopTradeInRow] = (),
    gradings: Sequence[GradingRow] = (),
    subscriptions: Sequence[SubscriptionRow] = (),
    subscription_statuses: Sequence[SubscriptionStatusRow] = (),
    repair_tickets: Sequence[RepairTicketRow] = (),
) -> Rows | None:
    """One statement (data-modifying CTEs) writing every table: one round trip per batch."""
    parts: list[str] = []
    args: list[Any] = []
    for rows, types, template in (
        (timeline, _TIMELINE, _INSERT_TIMELINE),
        (consents, _CONSENTS, _INSERT_CONSENTS),
        (contacts, _CONTACTS, _UPSERT_CONTACTS),
        (sales, _SALES, _INSERT_SALES),
        (returns, _RETURNS, _INSERT_RETURNS),
        (vouchers, _VOUCHERS, _INSERT_VOUCHERS),
        (redemptions, _REDEMPTIONS, _INSERT_REDEMPTIONS),
        (shop_trade_ins, _SHOP_TRADE_INS, _INSERT_SHOP_TRADE_INS),
        (gradings, _GRADINGS, _INSERT_GRADINGS),
        (subscriptions, _SUBSCRIPTIONS, _INSERT_SUBSCRIPTIONS),
        (subscription_statuses, _SUBSCRIPTION_STATUSES, _INSERT_SUBSCRIPTION_STATUSES),
        (repair_tickets, _REPAIR_TICKETS, _INSERT_REPAIR_TICKETS),
    ):
        if rows:
            source, values = unnest(columns_of(_first_per_key(rows)), types, start=len(args) + 1)
            parts.append(template.format(source=source))
            args.extend(values)
    if not parts:
        return None
    *first, last = parts
    ctes = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(first))
    return Rows(f"WITH {ctes} {last}" if first else last, args)


def _first_per_key(rows: Sequence[Any]) -> list[Any]:
    """The rows whose key (the first column) no earlier row has."""
    first: dict[Any, Any] = {}
    for row in rows:
        first.setdefault(row[0], row)
    return list(first.values())


_INSERT_TIMELINE = (
    "INSERT INTO timeline (entry_key, kind, occurred_at, anchor, sale_id, channel, location_id, market, source,"
    " event_id, detail, thread) SELECT k, kd, o, a, s, c, l, m, src, e, d::json, th"
    " FROM {source} AS t(k, kd, o, a, s, c, l, m, src, e, d, th)"
    " WHERE NOT EXISTS (SELECT FROM timeline x WHERE x.entry_key = t.k)"
)
_INSERT_CONSENTS = (
    "INSERT INTO consents (record_key, identifier, captured_at, captured_by, data_owner, source, transactional,"
    " marketing, partner_sharing) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM consents x WHERE x.record_key = t.k)"
)
# The latest capture per subject wins (by time, then event id), whatever the arrival order.
_UPSERT_CONTACTS = (
    "INSERT INTO contacts (subject_id, data_owner, captured_by, captured_at, event_id, nonce, ciphertext)"
    " SELECT * FROM {source} ON CONFLICT (subject_id) DO UPDATE SET data_owner = excluded.data_owner,"
    " captured_by = excluded.captured_by, captured_at = excluded.captured_at, event_id = excluded.event_id,"
    " nonce = excluded.nonce, ciphertext = excluded.ciphertext"
    " WHERE (excluded.captured_at, excluded.event_id) > (contacts.captured_at, contacts.event_id)"
)
_INSERT_SALES = (
    "INSERT INTO sale_facts (sale_id, channel, location_id, market, sold_at, catchment, currency, total_minor,"
    " device_units, accessory_units, service_units) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM sale_facts x WHERE x.sale_id = t.k)"
)
_INSERT_RETURNS = (
    "INSERT INTO return_facts (return_id, sale_id, channel, location_id, market, returned_at, units, currency,"
    " refund_minor) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM return_facts x WHERE x.return_id = t.k)"
)

# The trade-in figures' facts: a redemption is keyed by its voucher and sale (a sale redeems a
# voucher once), a grading check by its trade-in (the centre checks a shop's grade once).
_INSERT_VOUCHERS = (
    "INSERT INTO voucher_facts (voucher_id, market, currency, amount_minor, issued_at) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM voucher_facts x WHERE x.voucher_id = t.k)"
)
_INSERT_REDEMPTIONS = (
    "INSERT INTO redemption_facts (redemption_key, voucher_id, sale_id, channel, shop_id, redeemed_at, currency,"
    " amount_minor, basket_minor) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM redemption_facts x WHERE x.redemption_key = t.k)"
)
_INSERT_SHOP_TRADE_INS = (
    "INSERT INTO shop_trade_in_facts (trade_in_id, shop_id, recorded_at, currency, paid_minor)"
    " SELECT * FROM {source} AS t(k) WHERE NOT EXISTS (SELECT FROM shop_trade_in_facts x WHERE x.trade_in_id = t.k)"
)
_INSERT_GRADINGS = (
    "INSERT INTO grading_check_facts (trade_in_id, shop_id, accurate, checked_at) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM grading_check_facts x WHERE x.trade_in_id = t.k)"
)


# The repair plan figures' facts: a subscription's start and a ticket's intake once each; a state
# change keyed by subscription, state and time (a copy of the event writes nothing new).
_INSERT_SUBSCRIPTIONS = (
    "INSERT INTO subscription_facts (subscription_id, market, started_at) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM subscription_facts x WHERE x.subscription_id = t.k)"
)
_INSERT_SUBSCRIPTION_STATUSES = (
    "INSERT INTO subscription_status_facts (status_key, subscription_id, status, at) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM subscription_status_facts x WHERE x.status_key = t.k)"
)
_INSERT_REPAIR_TICKETS = (
    "INSERT INTO repair_ticket_facts (ticket_id, market, coverage, opened_at) SELECT * FROM {source} AS t(k)"
    " WHERE NOT EXISTS (SELECT FROM repair_ticket_facts x WHERE x.ticket_id = t.k)"
)


class ProjectionRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def write(self, rows: Rows | None) -> None:
        if rows is not None:
            await self.conn.execute(rows.sql, *rows.args)

    async def drop_entries_of_sales(self, sale_ids: Sequence[str]) -> None:
        """Entries about sales of an erased person, that arrived before the sale told who it was."""
        if sale_ids:
            await self.conn.execute("DELETE FROM timeline WHERE sale_id = ANY($1::text[])", list(sale_ids))

    async def drop_entries_of_threads(self, threads: Sequence[str]) -> None:
        """Steps of an erased person's trade-ins, vouchers and repairs, that arrived before the step
        naming them."""
        if threads:
            await self.conn.execute("DELETE FROM timeline WHERE thread = ANY($1::text[])", list(threads))
