"""A batch's rows travel to PostgreSQL as packed columns and come back exactly as they were sent."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone

import asyncpg
import pytest

from crm.adapters.packed_columns import SEPARATOR, unnest

pytestmark = pytest.mark.connected


async def test_packed_columns_come_back_in_order_with_their_nulls_offsets_and_microseconds(
    new_database: Callable[[], Awaitable[str]],
) -> None:
    times = [
        datetime(2024, 3, 31, 1, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=2))),
        None,
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        datetime(2099, 1, 1, 0, 0, 0, 123_457, tzinfo=UTC),
    ]
    texts = ["plain", None, f"holds the{SEPARATOR}separator", ""]
    ids = [uuid.uuid4(), None, uuid.uuid4(), uuid.uuid4()]
    source, args = unnest([times, texts, ids], ["timestamptz", "text", "uuid"])
    conn = await asyncpg.connect(await new_database())
    try:
        rows = await conn.fetch(f"SELECT * FROM {source} AS t(at, label, id)", *args)
    finally:
        await conn.close()
    assert [(r["at"], r["label"], r["id"]) for r in rows] == list(zip(times, texts, ids, strict=True))
