"""SQL of the personal-data audit: rows are only ever inserted (the table refuses the rest)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from crm.domain.audit import AccessRecord
from reloop_shared.db.types import Connection

_COLUMNS = "id, at, actor, actor_kind, scopes, profile_id, action, fields, purpose, request_id, route"


class AccessLogRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def append(self, record: AccessRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO personal_data_audit ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            record.id,
            record.at,
            record.actor,
            record.actor_kind,
            record.scopes,
            record.profile_id,
            record.action,
            record.fields,
            record.purpose,
            record.request_id,
            record.route,
        )

    async def newest(
        self,
        *,
        profile_id: uuid.UUID | None,
        actor: str | None,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[AccessRecord]:
        conditions: list[str] = []
        args: list[object] = []
        if profile_id is not None:
            args.append(profile_id)
            conditions.append(f"profile_id = ${len(args)}")
        if actor is not None:
            args.append(actor)
            conditions.append(f"actor = ${len(args)}")
        if before is not None:
            args += list(before)
            conditions.append(f"(at, id) < (${len(args) - 1}, ${len(args)})")
        where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
        args.append(limit)
        rows = await self.conn.fetch(
            f"SELECT {_COLUMNS} FROM personal_data_audit {where} ORDER BY at DESC, id DESC LIMIT ${len(args)}", *args
        )
        return [_record(r) for r in rows]


def _record(row: Any) -> AccessRecord:
    return AccessRecord(
        row["id"],
        row["at"],
        row["actor"],
        row["actor_kind"],
        list(row["scopes"]),
        row["profile_id"],
        row["action"],
        list(row["fields"]),
        row["purpose"],
        row["request_id"],
        row["route"],
    )
