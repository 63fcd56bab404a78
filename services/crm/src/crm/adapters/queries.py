"""Read-side SQL: a profile's 360 view, look-ups, and the candidates of the re-engagement segments."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from crm.domain.consent_and_ownership import ConsentRecord, Contact
from reloop_shared.db.types import Connection

_TIMELINE = """
WITH ids AS (SELECT identifier FROM identifiers WHERE profile_id = $1),
own AS (SELECT sale_id FROM timeline WHERE kind = 'purchase' AND anchor IN (SELECT identifier FROM ids)),
threads AS (SELECT thread FROM timeline WHERE thread IS NOT NULL AND anchor IN (SELECT identifier FROM ids))
SELECT entry_key, kind, occurred_at, anchor, sale_id, channel, location_id, market, source, detail
FROM timeline
WHERE anchor IN (SELECT identifier FROM ids) OR sale_id IN (SELECT sale_id FROM own)
   OR thread IN (SELECT thread FROM threads)
ORDER BY occurred_at, entry_key
"""


class ProfileQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def profile(self, profile_id: uuid.UUID) -> dict[str, Any] | None:
        row = await self.conn.fetchrow("SELECT founding, founded_at FROM profiles WHERE profile_id = $1", profile_id)
        return dict(row) if row is not None else None

    async def identifiers(self, profile_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT identifier, kind, first_seen_at FROM identifiers WHERE profile_id = $1 ORDER BY identifier",
            profile_id,
        )
        return [dict(r) for r in rows]

    async def timeline(self, profile_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(_TIMELINE, profile_id)
        return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]

    async def consent_records(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ConsentRecord]]:
        rows = await self.conn.fetch(
            "SELECT i.profile_id, c.record_key, c.captured_at, c.captured_by, c.transactional, c.marketing,"
            " c.partner_sharing FROM consents c JOIN identifiers i USING (identifier)"
            " WHERE i.profile_id = ANY($1::uuid[])",
            profile_ids,
        )
        found: dict[uuid.UUID, list[ConsentRecord]] = defaultdict(list)
        for r in rows:
            values = dict(r)
            found[values.pop("profile_id")].append(ConsentRecord(**values))
        return found

    async def contacts(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Contact]]:
        rows = await self.conn.fetch(
            "SELECT i.profile_id, c.subject_id, c.data_owner, c.captured_by, c.captured_at, c.nonce, c.ciphertext"
            " FROM contacts c JOIN identifiers i ON i.identifier = 'subject:' || c.subject_id"
            " WHERE i.profile_id = ANY($1::uuid[]) ORDER BY c.captured_at DESC, c.subject_id",
            profile_ids,
        )
        found: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        for r in rows:
            found[r["profile_id"]].append(
                Contact(
                    r["subject_id"],
                    r["data_owner"],
                    r["captured_by"],
                    r["captured_at"],
                    r["subject_id"],
                    r["nonce"],
                    r["ciphertext"],
                )
            )
        return found

    async def segment_entries(self, profile_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await self.conn.fetch(
            "SELECT entry_id, segment, occasion, entered_at FROM segment_entries WHERE profile_id = $1"
            " ORDER BY entered_at, entry_id",
            profile_id,
        )
        return [dict(r) for r in rows]

    async def profile_of(self, identifier: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.conn.fetchval(
            "SELECT profile_id FROM identifiers WHERE identifier = $1", identifier
        )
        return found


_WARRANTY = """
SELECT i.profile_id, t.sale_id, l->>'line_id' AS line_id, l->>'sku' AS sku, t.occurred_at AS sold_at,
       t.market, t.location_id
FROM timeline t
JOIN identifiers i ON i.identifier = t.anchor
CROSS JOIN LATERAL json_array_elements(t.detail->'lines') AS l
WHERE t.kind = 'purchase'
  AND t.occurred_at > $2::timestamptz - make_interval(months => $1) - interval '1 day'
  AND t.occurred_at <= $2::timestamptz + $3::interval - make_interval(months => $1) + interval '1 day'
  AND t.occurred_at + make_interval(months => $1) > $2::timestamptz
  AND t.occurred_at + make_interval(months => $1) <= $2::timestamptz + $3::interval
  AND l->>'kind' = 'refurbished_device'
  AND NOT EXISTS (
      SELECT 1 FROM timeline r CROSS JOIN LATERAL json_array_elements(r.detail->'lines') AS rl
      WHERE r.kind = 'return' AND r.sale_id = t.sale_id AND rl->>'line_id' = l->>'line_id')
"""

_FIRST_SHOP_PURCHASE = """
SELECT i.profile_id, t.sale_id, t.occurred_at, t.market, t.location_id
FROM timeline t
JOIN identifiers i ON i.identifier = t.anchor
WHERE t.kind = 'purchase' AND t.channel IN ('own_shop', 'partner_shop')
  AND t.occurred_at > $1::timestamptz - $2::interval AND t.occurred_at <= $1::timestamptz
  AND NOT EXISTS (SELECT 1 FROM identifiers a WHERE a.profile_id = i.profile_id AND a.kind = 'account')
  AND NOT EXISTS (
      SELECT 1 FROM timeline e JOIN identifiers j ON j.identifier = e.anchor
      WHERE j.profile_id = i.profile_id AND e.kind = 'purchase' AND e.channel IN ('own_shop', 'partner_shop')
        AND (e.occurred_at, e.sale_id) < (t.occurred_at, t.sale_id))
"""

_RETURN_WITHOUT_REPURCHASE = """
WITH r AS (
    SELECT t.detail->>'return_id' AS return_id, t.sale_id, t.occurred_at, t.market, t.location_id,
           COALESCE(own.profile_id, buyer.profile_id) AS profile_id
    FROM timeline t
    LEFT JOIN identifiers own ON own.identifier = t.anchor
    LEFT JOIN timeline p ON p.kind = 'purchase' AND p.sale_id = t.sale_id
    LEFT JOIN identifiers buyer ON buyer.identifier = p.anchor
    WHERE t.kind = 'return' AND t.occurred_at <= $1::timestamptz - $2::interval
      AND t.occurred_at > $1::timestamptz - $2::interval - $3::interval
)
SELECT * FROM r
WHERE profile_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM timeline b JOIN identifiers k ON k.identifier = b.anchor
    WHERE k.profile_id = r.profile_id AND b.kind = 'purchase'
      AND b.occurred_at > r.occurred_at AND b.occurred_at <= r.occurred_at + $2::interval)
"""


class SegmentQueries:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def warranty_ending(self, now: datetime, months: int, notice: timedelta) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(_WARRANTY, months, now, notice)]

    async def first_shop_purchase(self, now: datetime, lookback: timedelta) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(_FIRST_SHOP_PURCHASE, now, lookback)]

    async def return_without_repurchase(
        self, now: datetime, window: timedelta, lookback: timedelta
    ) -> list[dict[str, Any]]:
        return [dict(r) for r in await self.conn.fetch(_RETURN_WITHOUT_REPURCHASE, now, window, lookback)]
