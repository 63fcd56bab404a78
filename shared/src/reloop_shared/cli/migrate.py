"""`reloop migrate --service NAME --package MODULE --database-url URL`: apply a service's migrations
and exit, as its runtime does at start; a deployment runs it as a Job before the new version rolls
out. The service's SQL is found in its installed package, so this never imports a service."""

from __future__ import annotations

import argparse
from typing import Any

import asyncpg

from reloop_shared.cli.service_databases import service_database_url
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate


def register(commands: Any) -> None:
    parser = commands.add_parser("migrate", help="apply a service's database migrations and exit")
    parser.add_argument("--service", required=True, help="the service's name, as its runtime records it (store-sync)")
    parser.add_argument("--package", required=True, help="the package holding its migrations/ folder (store_sync)")
    parser.add_argument("--database-url", help="default: the service's own, as its runtime finds it")
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    conn = await asyncpg.connect(args.database_url or service_database_url(args.service))
    try:
        applied = await migrate(conn, [SHARED, MigrationSource(args.service, args.package, "migrations")])
    finally:
        await conn.close()
    print(f"{args.service}: applied {len(applied)} migration(s)" + "".join(f"\n  {name}" for name in applied))
    return 0
