"""`reloop replay crm`, `reloop report` and `reloop audit`: CRM's commands, plugged into the `reloop` CLI.

Registered through the `reloop.commands` entry-point group (services/crm/pyproject.toml), so the
runtime's CLI never imports CRM. Settings come from the environment like the service's own
(`CRM_*`, KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from crm.config import CrmSettings
from reloop_shared.db.urls import with_database


def _subcommands(commands: Any, name: str, help_text: str) -> Any:
    """The sub-commands of `reloop <name>`, shared with other services' plugins (`reloop replay <service>`)."""
    parser = commands.choices.get(name)
    if parser is None:
        parser = commands.add_parser(name, help=help_text)
        return parser.add_subparsers(dest=f"{name}_target", required=True)
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(commands: Any) -> None:
    replaying = _subcommands(commands, "replay", "rebuild a read model from the topics")
    crm = replaying.add_parser("crm", help="rebuild CRM's read model from the topics")
    crm.add_argument(
        "--until",
        choices=["live", "end"],
        default="live",
        help="stop where the live consumer group stands (default; the service must be stopped) or at the end "
        "of the topics (rebuilding into another database: --database-url)",
    )
    crm.add_argument("--database-url", help="rebuild into this database instead of CRM's own")
    crm.add_argument("--max-records", type=int, default=5000, help="records applied per fetch")
    crm.add_argument("--workers", type=int, help="processes sharing the partitions (default: one per core)")
    crm.set_defaults(run=replay_command)
    report = commands.add_parser(
        "report", help="channel analytics, trade-in and repair plan figures from CRM's read model"
    )
    report.add_argument("--since", type=datetime.fromisoformat, help="sales from (ISO date/time, UTC)")
    report.add_argument("--until", type=datetime.fromisoformat, help="sales before (ISO date/time, UTC)")
    report.add_argument("--market", help="one market (ISO country code)")
    report.add_argument("--window-days", type=int, default=90, help="before/after window around openings")
    report.add_argument(
        "--as-of",
        type=_utc,
        help="the trade-in and repair plan figures as of this date/time (ISO, UTC; default now)",
    )
    report.add_argument("--json", action="store_true", help="print JSON instead of tables")
    report.set_defaults(run=report_command)
    audit = commands.add_parser("audit", help="who opened, looked up, exported or erased a customer's personal data")
    audit.add_argument("--customer", required=True, help="the customer's profile id, or their account id")
    audit.add_argument("--limit", type=int, default=1000, help="newest records shown (default 1000)")
    audit.add_argument("--json", action="store_true", help="print one JSON object a line")
    audit.add_argument("--database-url", help="CRM's database, if not the one the environment names")
    audit.set_defaults(run=audit_command)


def _settings(args: argparse.Namespace) -> CrmSettings:
    settings = CrmSettings(kafka_bootstrap_servers=args.bootstrap_servers, log_level="WARNING")
    if getattr(args, "database_url", None):
        settings = settings.model_copy(update={"service_database_url": args.database_url})
    return settings


async def replay_command(args: argparse.Namespace) -> int:
    from crm.entrypoints.replay import LiveConsumerRunning, replay
    from reloop_shared.personal_data.key_encryption_keys import UnknownKeyEncryptionKey

    try:
        figures = await replay(_settings(args), until=args.until, max_records=args.max_records, workers=args.workers)
    except LiveConsumerRunning as error:
        print(error)
        return 2
    except UnknownKeyEncryptionKey as error:
        print(f"{error.args[0]}; nothing was reset (RELOOP_KEY_ENCRYPTION_KEYS names the service's file)")
        return 2
    print(
        json.dumps(
            {
                "records": figures.records,
                "seconds": round(figures.seconds, 3),
                "records_per_second": round(figures.rate),
                "peak_rss_mb": round(figures.peak_rss_mb, 1),
            }
        )
    )
    return 0


async def report_command(args: argparse.Namespace) -> int:
    from crm.read_model.channel_reports import channel_report, halo_report
    from crm.read_model.repair_reports import repair_report
    from crm.read_model.trade_in_reports import trade_in_report
    from reloop_shared.db.pool import create_pool
    from reloop_shared.db.urls import with_database

    settings = _settings(args)
    pool = await create_pool(
        settings.service_database_url or with_database(settings.database_url, "reloop_crm"), size=2
    )
    try:
        async with pool.acquire() as conn:
            channels = await channel_report(conn, args.since, args.until, args.market)
            halo = await halo_report(conn, timedelta(days=args.window_days))
            as_of = args.as_of or datetime.now(UTC)
            trade_ins = await trade_in_report(conn, as_of)
            repairs = await repair_report(conn, as_of)
    finally:
        await pool.close()
    if args.json:
        figures = {"channels": channels, "halo": halo, "trade_ins": trade_ins, "repairs": repairs}
        print(json.dumps(figures, indent=2, default=str))
        return 0
    print(
        _table(
            "Channels",
            channels,
            [
                "channel",
                "sales",
                "return_rate",
                "unit_return_rate",
                "accessory_attach_rate",
                "service_attach_rate",
                "accessories_per_sale",
                "services_per_sale",
            ],
        )
    )
    columns = ["online_before", "online_after", "growth", "control_growth", "lift", "verdict"]
    print(_table(f"Shops (+-{halo['window_days']} days)", halo["shops"], ["shop_id", "market", *columns]))
    print(_table("Markets", halo["markets"], ["market", "first_opened_on", *columns]))
    _print_trade_ins(trade_ins)
    _print_repairs(repairs)
    return 0


def _print_trade_ins(report: dict[str, Any]) -> None:
    days, as_of = report["window_days"], report["as_of"]
    rate = ["decidable", "redeemed_in_time"]
    uplift = ["redemptions", "median_ratio", "mean_ratio"]
    title = f"Vouchers redeemed within {days} days (as of {as_of})"
    print(_table(title, report["redemption"], ["market", *rate, "rate"]))
    by_place = report["redemption_by_place"]
    print(_table("... by place of first redemption", by_place, ["market", "place", *rate, "share"]))
    print(_table("Basket / voucher value", report["basket_uplift"], ["market", *uplift]))
    print(_table("... by place", report["basket_uplift_by_place"], ["market", "place", *uplift]))
    print(_table("Shop trade-ins per collection hub", report["hub_volumes"], ["shop_id", "month", "trade_ins"]))
    print(_table("Grading accuracy", report["grading_accuracy"], ["shop_id", "checks", "accurate", "accuracy"]))


def _print_repairs(report: dict[str, Any]) -> None:
    members = ["members", "active", "past_due", "suspended"]
    print(_table(f"Repair plan members (as of {report['as_of']})", report["members"], ["market", *members]))
    months = ["members_at_start", "churned", "churn", "plan_claims", "claims_per_member"]
    print(_table("Repair plan per month", report["months"], ["market", "month", *months]))


async def audit_command(args: argparse.Namespace) -> int:
    """The audit of one customer, newest first: found by profile id, or through their account while
    CRM still knows it (after an erasure only the profile id finds the records)."""
    from crm.adapters.access_log_repository import AccessLogRepository
    from crm.adapters.identity_repository import IdentityRepository

    settings = _settings(args)
    conn = await asyncpg.connect(settings.service_database_url or with_database(settings.database_url, "reloop_crm"))
    try:
        profile_id = _uuid(args.customer) or await IdentityRepository(conn).profile_of(f"account:{args.customer}")
        if profile_id is None:
            print(f"no profile {args.customer}: give its profile id")
            return 1
        records = await AccessLogRepository(conn).newest(profile_id=profile_id, actor=None, limit=args.limit)
    finally:
        await conn.close()
    for r in records:
        if args.json:
            print(json.dumps(dataclasses.asdict(r), default=str))
        else:
            fields = ",".join(r.fields) or "-"
            print(
                f"{r.at.isoformat()}  {r.action:<14} {r.actor_kind}:{r.actor}  fields={fields}"
                f"  purpose={r.purpose!r}  scopes={','.join(r.scopes)}  request={r.request_id}  {r.route}"
            )
    return 0


def _utc(text: str) -> datetime:
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _table(title: str, rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cell(value: Any) -> str:
        return f"{value:.3f}" if isinstance(value, float) else "-" if value is None else str(value)

    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    lines = [title, "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines) + "\n"
