"""`reloop repair overdue`: the workshop's late tickets, plugged into the `reloop` CLI.

Registered through the `reloop.commands` entry-point group (services/repair/pyproject.toml), so the
runtime's CLI never imports repair. Settings come from the environment like the service's own
(`REPAIR_SLA_HOURS`, DATABASE_URL or REPAIR_SERVICE_DATABASE_URL), so the list is the one the
service's `GET /tickets/overdue` answers.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from reloop_shared.db.pool import create_pool
from reloop_shared.db.urls import with_database
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.config import RepairSettings
from repair.entrypoints.http.overdue import OverdueTicketOut
from repair.service_layer.overdue import OverdueTicket, overdue_tickets
from repair.service_layer.ports import OpenTicketQuery

COLUMNS = ("ticket", "market", "centre", "status", "step", "late by", "spent / target", "waiting on customer")


def register(commands: Any) -> None:
    repair = commands.add_parser("repair", help="the repair workshop's operations")
    actions = repair.add_subparsers(dest="repair_command", required=True)
    overdue = actions.add_parser("overdue", help="open repair tickets past their step's SLA, oldest first")
    overdue.add_argument("--market", help="one market (ISO country code)")
    overdue.add_argument("--centre", help="one repair centre")
    overdue.add_argument("--limit", type=int, default=100, help="tickets shown at most (default 100)")
    overdue.add_argument("--as-of", type=_utc, help="late as of this date/time (ISO, UTC; default now)")
    overdue.add_argument("--json", action="store_true", help="print one JSON object a line")
    overdue.add_argument("--database-url", help="repair's database, if not the one the environment names")
    overdue.set_defaults(run=overdue_command)


async def overdue_command(args: argparse.Namespace) -> int:
    settings = RepairSettings(kafka_bootstrap_servers=args.bootstrap_servers, log_level="WARNING")
    url = args.database_url or settings.service_database_url or with_database(settings.database_url, "reloop_repair")
    pool = await create_pool(url, size=1)
    try:
        found = await overdue_tickets(
            PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=pool),
            OpenTicketQuery(args.market, args.centre),
            settings.sla_policy(),
            args.as_of or datetime.now(UTC),
            None,
            args.limit,
        )
    finally:
        await pool.close()
    print(as_json_lines(found) if args.json else as_table(found))
    return 0


def as_json_lines(found: Sequence[OverdueTicket]) -> str:
    """The same fields `GET /tickets/overdue` answers, one ticket a line."""
    return "\n".join(OverdueTicketOut.of(o).model_dump_json() for o in found)


def as_table(found: Sequence[OverdueTicket]) -> str:
    if not found:
        return "no ticket is late"
    rows = [
        (
            o.ticket.ticket_id,
            o.ticket.market,
            o.ticket.centre_id,
            o.ticket.status,
            o.late.step,
            _duration(o.late.overdue_by),
            f"{_duration(o.late.elapsed)} / {_duration(o.late.target)}",
            "yes" if o.late.waiting_on_customer else "",
        )
        for o in found
    ]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def _duration(span: timedelta) -> str:
    """Days and hours, as the workshop counts them ("2d 05h"); minutes under an hour."""
    minutes = int(span.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
