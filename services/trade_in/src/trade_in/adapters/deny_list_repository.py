"""The local deny list on PostgreSQL: the real implementation of `DeviceDenyList`."""

from __future__ import annotations

from typing import cast

from reloop_shared.db.types import Connection
from trade_in.domain.devices import DeviceIdentifier, IdentifierKind
from trade_in.service_layer.ports import DenyListEntry


class PostgresDenyList:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def check(self, identifier: DeviceIdentifier) -> str | None:
        reason = await self.conn.fetchval(
            "SELECT reason FROM deny_list WHERE identifier_kind = $1 AND identifier_value = $2",
            identifier.kind,
            identifier.value,
        )
        return cast(str | None, reason)

    async def add(self, entry: DenyListEntry) -> None:
        await self.conn.execute(
            """
            INSERT INTO deny_list (identifier_kind, identifier_value, reason, added_by, added_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (identifier_kind, identifier_value) DO UPDATE SET
                reason = EXCLUDED.reason, added_by = EXCLUDED.added_by, added_at = EXCLUDED.added_at
            """,
            entry.identifier.kind,
            entry.identifier.value,
            entry.reason,
            entry.added_by,
            entry.added_at,
        )

    async def remove(self, identifier: DeviceIdentifier) -> bool:
        status = await self.conn.execute(
            "DELETE FROM deny_list WHERE identifier_kind = $1 AND identifier_value = $2",
            identifier.kind,
            identifier.value,
        )
        return status != "DELETE 0"

    async def find(self, after: tuple[str, str] | None, limit: int) -> list[DenyListEntry]:
        rows = await self.conn.fetch(
            """
            SELECT * FROM deny_list
            WHERE $1::text IS NULL OR (identifier_kind, identifier_value) > ($1, $2)
            ORDER BY identifier_kind, identifier_value
            LIMIT $3
            """,
            after[0] if after else None,
            after[1] if after else None,
            limit,
        )
        return [
            DenyListEntry(
                DeviceIdentifier(cast(IdentifierKind, row["identifier_kind"]), row["identifier_value"]),
                row["reason"],
                row["added_by"],
                row["added_at"],
            )
            for row in rows
        ]
