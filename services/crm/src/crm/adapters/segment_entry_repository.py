"""SQL of segment entries: who entered which segment, on which occasion (once per occasion)."""

from __future__ import annotations

import uuid
from datetime import datetime

from reloop_shared.db.types import Connection


class SegmentEntryRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(
        self, entry_id: str, segment: str, occasion: str, profile_id: uuid.UUID, entered_at: datetime
    ) -> bool:
        status = await self.conn.execute(
            "INSERT INTO segment_entries (entry_id, segment, occasion, profile_id, entered_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            entry_id,
            segment,
            occasion,
            profile_id,
            entered_at,
        )
        return status.endswith(" 1")

    async def entered(self, entry_ids: list[str]) -> set[str]:
        rows = await self.conn.fetch("SELECT entry_id FROM segment_entries WHERE entry_id = ANY($1::text[])", entry_ids)
        return {r["entry_id"] for r in rows}
