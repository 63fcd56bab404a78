"""SQL of the merge audit trail: who merged which profiles, why, and whether it was undone."""

from __future__ import annotations

import uuid
from datetime import datetime

from crm.domain.merges import MergeRecord
from reloop_shared.db.types import Connection

_COLUMNS = (
    "merge_id, profile_id, merged_profile_id, kept_identifiers, merged_identifiers, automatic, reason, merged_by,"
    " merged_at, unmerge_id, unmerged_by, unmerged_at, unmerge_reason"
)


class MergeRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, merges: list[MergeRecord]) -> None:
        if merges:
            await self.conn.executemany(
                f"INSERT INTO merges ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
                " ON CONFLICT (merge_id) DO NOTHING",
                [
                    (
                        m.merge_id,
                        m.profile_id,
                        m.merged_profile_id,
                        m.kept_identifiers,
                        m.merged_identifiers,
                        m.automatic,
                        m.reason,
                        m.merged_by,
                        m.merged_at,
                        m.unmerge_id,
                        m.unmerged_by,
                        m.unmerged_at,
                        m.unmerge_reason,
                    )
                    for m in merges
                ],
            )

    async def get(self, merge_id: str) -> MergeRecord | None:
        row = await self.conn.fetchrow(f"SELECT {_COLUMNS} FROM merges WHERE merge_id = $1", merge_id)
        return MergeRecord(**dict(row)) if row is not None else None

    async def of_profile(self, profile_id: uuid.UUID) -> list[MergeRecord]:
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM merges WHERE profile_id = $1 OR merged_profile_id = $1"
            " ORDER BY merged_at, merge_id",
            profile_id,
        )
        return [MergeRecord(**dict(r)) for r in rows]

    async def merged_into(self, profile_id: uuid.UUID) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.conn.fetchval(
            "SELECT profile_id FROM merges WHERE merged_profile_id = $1 AND unmerge_id IS NULL"
            " ORDER BY merged_at DESC LIMIT 1",
            profile_id,
        )
        return found

    async def mark_undone_earlier(self, merge_id: str) -> None:
        """A replay may read an un-merge before the merge it undoes (they can sit on two partitions)."""
        await self.conn.execute(
            "UPDATE merges m SET unmerge_id = s.unmerge_id, unmerged_by = s.unmerged_by, unmerged_at = s.unmerged_at,"
            " unmerge_reason = s.reason FROM separations s WHERE s.merge_id = m.merge_id AND m.merge_id = $1"
            " AND m.unmerge_id IS NULL",
            merge_id,
        )

    async def mark_unmerged(self, merge_id: str, unmerge_id: str, by: str, at: datetime, reason: str) -> None:
        await self.conn.execute(
            "UPDATE merges SET unmerge_id = $2, unmerged_by = $3, unmerged_at = $4, unmerge_reason = $5"
            " WHERE merge_id = $1 AND unmerge_id IS NULL",
            merge_id,
            unmerge_id,
            by,
            at,
            reason,
        )
