"""The renewal schedule on PostgreSQL: a durable row per subscription, claimed in batches with
`FOR UPDATE SKIP LOCKED` so renewal runs at once (or one restarted after dying) share the work and
never decide on one subscription twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reloop_shared.db.types import Connection


class PostgresRenewalSchedule:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def schedule(self, subscription_id: str, due_at: datetime | None) -> None:
        await self.schedule_many([(subscription_id, due_at)])

    async def schedule_many(self, due: Sequence[tuple[str, datetime | None]]) -> None:
        if not due:
            return
        await self.conn.execute(
            """
            INSERT INTO renewal_schedule (subscription_id, due_at)
            SELECT * FROM unnest($1::text[], $2::timestamptz[])
            ON CONFLICT (subscription_id) DO UPDATE SET due_at = EXCLUDED.due_at
            """,
            [s for s, _ in due],
            [d for _, d in due],
        )

    async def claim_due(self, at: datetime, limit: int) -> list[str]:
        rows = await self.conn.fetch(
            """
            SELECT subscription_id FROM renewal_schedule
            WHERE due_at <= $1
            ORDER BY due_at, subscription_id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
            """,
            at,
            limit,
        )
        return [r["subscription_id"] for r in rows]
