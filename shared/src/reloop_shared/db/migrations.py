"""Applies numbered SQL files (`0001_init.sql`, ...) once each, in order, under an advisory lock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from reloop_shared.db.types import Connection

_NUMBERED = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 0x7E10_0901  # any constant shared by every runner of one database


@dataclass(frozen=True)
class MigrationSource:
    """A folder of numbered SQL files inside an installed package, e.g. ("inventory", "migrations")."""

    name: str
    package: str
    folder: str

    def files(self) -> list[tuple[int, str, str]]:
        root: Traversable = resources.files(self.package).joinpath(self.folder)
        found = []
        for entry in root.iterdir():
            match = _NUMBERED.match(entry.name)
            if match:
                found.append((int(match.group(1)), entry.name, entry.read_text()))
        return sorted(found)


SHARED = MigrationSource("reloop_shared", "reloop_shared.db", "sql")


async def migrate(conn: Connection, sources: list[MigrationSource]) -> list[str]:
    """Apply what is missing; refuse to run when an applied file was edited afterwards."""
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                source     TEXT NOT NULL,
                version    INT NOT NULL,
                name       TEXT NOT NULL,
                checksum   TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (source, version)
            )
            """
        )
        rows = await conn.fetch("SELECT source, version, checksum FROM schema_migrations")
        done = {(r["source"], r["version"]): r["checksum"] for r in rows}
        for source in sources:
            for version, name, sql in source.files():
                checksum = hashlib.sha256(sql.encode()).hexdigest()
                known = done.get((source.name, version))
                if known is not None:
                    if known != checksum:
                        raise RuntimeError(f"{source.name}/{name} changed after it was applied; add a new file")
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (source, version, name, checksum) VALUES ($1, $2, $3, $4)",
                        source.name,
                        version,
                        name,
                        checksum,
                    )
                applied_now.append(f"{source.name}/{name}")
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
