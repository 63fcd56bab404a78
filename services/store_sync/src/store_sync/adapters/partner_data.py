"""Partner mapping data: the operator's article codes -> reloop SKUs, and device IMEIs -> units."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key
from store_sync.domain.partner import SkuMapping


class PartnerData:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def skus(self, operator_id: str, codes: Iterable[str]) -> dict[str, SkuMapping]:
        rows = await self.conn.fetch(
            "SELECT partner_sku, sku, kind FROM sku_mappings WHERE operator_id = $1 AND partner_sku = ANY($2::text[])",
            operator_id,
            sorted(set(codes)),
        )
        return {r["partner_sku"]: SkuMapping(r["partner_sku"], r["sku"], r["kind"]) for r in rows}

    async def all_skus(self, operator_id: str, after: Key | None, limit: int) -> list[SkuMapping]:
        (after_code,) = after or (None,)
        rows = await self.conn.fetch(
            "SELECT partner_sku, sku, kind FROM sku_mappings WHERE operator_id = $1 "
            "AND ($2::text IS NULL OR partner_sku > $2) ORDER BY partner_sku LIMIT $3",
            operator_id,
            after_code,
            limit,
        )
        return [SkuMapping(r["partner_sku"], r["sku"], r["kind"]) for r in rows]

    async def map_sku(self, operator_id: str, mapping: SkuMapping, at: datetime) -> None:
        await self.conn.execute(
            """
            INSERT INTO sku_mappings (operator_id, partner_sku, sku, kind, updated_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (operator_id, partner_sku) DO UPDATE SET sku = EXCLUDED.sku, kind = EXCLUDED.kind,
                updated_at = EXCLUDED.updated_at
            """,
            operator_id,
            mapping.partner_sku,
            mapping.sku,
            mapping.kind,
            at,
        )

    async def units(self, identifiers: Iterable[str]) -> dict[str, str]:
        rows = await self.conn.fetch(
            "SELECT identifier, unit_id FROM unit_identifiers WHERE identifier = ANY($1::text[])",
            sorted(set(identifiers)),
        )
        return {r["identifier"]: r["unit_id"] for r in rows}

    async def learn_unit(self, identifier: str, unit_id: str) -> None:
        await self.conn.execute(
            """
            INSERT INTO unit_identifiers (identifier, unit_id) VALUES ($1, $2)
            ON CONFLICT (identifier) DO UPDATE SET unit_id = EXCLUDED.unit_id
            """,
            identifier,
            unit_id,
        )
