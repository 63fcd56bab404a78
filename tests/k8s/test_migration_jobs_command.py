"""`reloop migrate`, the command each migration Job runs, applies a service's migrations from its
installed package, as the service would at start, and applies nothing the second time."""

from __future__ import annotations

import asyncpg
import pytest

from reloop_shared.cli.main import build_parser
from reloop_shared.db.migrations import SHARED, MigrationSource

pytestmark = pytest.mark.connected


async def test_reloop_migrate_applies_a_service_s_migrations_once(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["migrate", "--service", "store-sync", "--package", "store_sync", "--database-url", database_url]
    args = build_parser().parse_args(argv)
    assert await args.run(args) == 0
    expected = {
        (source.name, version)
        for source in (SHARED, MigrationSource("store-sync", "store_sync", "migrations"))
        for version, _, _ in source.files()
    }
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT source, version FROM schema_migrations")
        assert {(row["source"], row["version"]) for row in rows} == expected
        assert await conn.fetchval("SELECT to_regclass('outbox') IS NOT NULL")
    finally:
        await conn.close()
    args = build_parser().parse_args(argv)
    assert await args.run(args) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "store-sync: applied 0 migration(s)"
