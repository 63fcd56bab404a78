"""`reloop outbox parked --producer SERVICE` and `reloop outbox release --producer SERVICE
(--id N ... | --all) [--discard]`: the outbox rows the broker kept refusing, parked by the relay
(`reloop_shared.outbox.parking`), each holding back the later rows of its key.

Released, a row is tried again before the rows behind it; discarded, it is never published and
the rows behind it flow without it (consumers never see that event)."""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from reloop_shared.cli.failures import CommandError
from reloop_shared.cli.service_databases import service_database_url
from reloop_shared.outbox.parking import ParkedRow, parked_rows, release


def register(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="see and release parked outbox rows").add_subparsers(
        dest="outbox", required=True
    )
    listing = outbox.add_parser("parked", help="list the rows the relay parked, with their error")
    _database_arguments(listing)
    listing.set_defaults(run=parked_command)
    again = outbox.add_parser("release", help="try parked rows again, or discard them (--discard)")
    _database_arguments(again)
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--id", type=int, action="append", dest="ids", help="a parked row's id (repeatable)")
    which.add_argument("--all", action="store_true", help="every parked row")
    again.add_argument(
        "--discard", action="store_true", help="never publish them: the rows behind them flow without them"
    )
    again.set_defaults(run=release_command)


def _database_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--producer", required=True, help="the service whose outbox this is")
    parser.add_argument("--database-url", help="default: the producer's own, as its runtime finds it")


def describe(row: ParkedRow) -> str:
    return (
        f"{row.id}  {row.topic}  key={row.key}  event={row.event_type}  attempts={row.attempts}  "
        f"parked={row.parked_at.isoformat(timespec='seconds')}  waiting behind it: {row.waiting}\n"
        f"    error: {row.error}"
    )


async def parked_command(args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(args.database_url or service_database_url(args.producer))
    try:
        rows = await parked_rows(conn)
    finally:
        await conn.close()
    for row in rows:
        print(describe(row))
    print(f"{len(rows)} parked row(s) in {args.producer}'s outbox")
    return 0


async def release_command(args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(args.database_url or service_database_url(args.producer))
    try:
        changed = await release(conn, None if args.all else args.ids, discard=args.discard)
    finally:
        await conn.close()
    missing = sorted(set(args.ids or ()) - set(changed))
    if missing and not changed:
        raise CommandError(f"not parked: {', '.join(map(str, missing))} (reloop outbox parked lists those that are)")
    done = "discarded" if args.discard else "released"
    print(f"{done} {len(changed)} row(s): {', '.join(map(str, changed)) or 'none parked'}")
    if missing:
        print(f"not parked, left alone: {', '.join(map(str, missing))}")
    return 0
