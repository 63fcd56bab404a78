"""`reloop dlq held [--consumer GROUP]` and `reloop dlq discard TOPIC.dlq (--event-id ID | --offset P:O)`.

Holds live in the database of the service a consumer group belongs to (`inventory-catalog` is
inventory's): the group's name is the service's, or starts with it and a dash.
"""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from reloop_contracts.access import services
from reloop_shared.cli.failures import CommandError
from reloop_shared.cli.service_databases import service_database_url
from reloop_shared.consumer.dead_letter_store import DeadLetter
from reloop_shared.consumer.key_holds import Hold, give_up
from reloop_shared.consumer.postgres_key_holds import PostgresKeyHolds


def register(dlq: Any) -> None:
    held = dlq.add_parser("held", help="keys held behind a dead letter, with how many events wait behind each")
    held.add_argument("--consumer", help="one consumer group; every service's when omitted")
    held.add_argument("--database-url", help="the consumer's database (default: its service's)")
    held.set_defaults(run=held_command)


def add_discard_arguments(parser: Any) -> None:
    parser.add_argument("--consumer", help="the consumer group giving up (default: the one that dead-lettered it)")
    parser.add_argument("--database-url", help="the consumer's database (default: its service's)")


def service_of(consumer: str) -> str:
    """The service a consumer group belongs to: its name, or the longest name it starts with and a dash."""
    named = [s for s in services() if consumer == s or consumer.startswith(f"{s}-")]
    if not named:
        raise CommandError(f"no service owns consumer group {consumer}: say --database-url")
    return max(named, key=len)


async def discard(letters: list[DeadLetter], consumer: str | None, database_url: str | None) -> list[Hold]:
    """Give up each letter in its consumer's holds; the holds released (a letter no hold waits for
    is left alone: its key was never held, or the hold was released already)."""
    released: list[Hold] = []
    for letter in letters:
        group = consumer or letter.consumer
        if not group:
            raise CommandError(f"{letter.position} does not say which consumer failed it: say --consumer")
        conn = await asyncpg.connect(database_url or service_database_url(service_of(group)))
        try:
            async with conn.transaction():
                hold = await give_up(PostgresKeyHolds(), conn, letter, group)
        finally:
            await conn.close()
        if hold is not None:
            released.append(hold)
    return released


async def held_command(args: argparse.Namespace) -> int:
    if args.database_url or args.consumer:
        databases = [args.database_url or service_database_url(service_of(args.consumer))]
    else:
        databases = [service_database_url(service) for service in services()]
    total = 0
    for url in databases:
        for hold, waiting in await _listing(url, args.consumer, skip_missing=not (args.database_url or args.consumer)):
            total += 1
            state = "released, applying" if hold.released else "waiting"
            print(
                f"{hold.consumer}  {hold.topic}  key={hold.key}  {waiting} event(s) behind  {state}\n"
                f"    dead letter: {hold.topic}:{hold.partition}:{hold.offset} id={hold.event_id}  "
                f"reason: {hold.reason}"
            )
    print(f"{total} held key(s)")
    return 0


async def _listing(url: str, consumer: str | None, *, skip_missing: bool) -> list[tuple[Hold, int]]:
    try:
        conn = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        if skip_missing:
            return []  # a service that was never started here has no database, so no holds
        raise
    try:
        return await PostgresKeyHolds().listing(conn, consumer)
    except asyncpg.UndefinedTableError:
        return []  # its shared migrations predate holds: none can exist
    finally:
        await conn.close()
