"""Locations and the catalog's SKUs as inventory keeps them (reference data, and the SKU row lock)."""

from __future__ import annotations

from collections.abc import Iterable

from inventory.domain.catalog import SkuInfo
from inventory.domain.locations import Location
from reloop_shared.db.types import Connection
from reloop_shared.http.pagination import Key

_KNOWN_LOCATIONS: dict[str, Location] = {}
"""Locations this process has seen: they change rarely, and every sale names one."""

_LOCATION_COLUMNS = "location_id, kind, market, name, address"


class LocationRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, location_id: str) -> Location | None:
        return (await self.many([location_id])).get(location_id)

    async def many(self, location_ids: Iterable[str]) -> dict[str, Location]:
        wanted = set(location_ids)
        found = {x: _KNOWN_LOCATIONS[x] for x in wanted if x in _KNOWN_LOCATIONS}
        missing = sorted(wanted - set(found))
        if missing:
            rows = await self.conn.fetch(
                f"SELECT {_LOCATION_COLUMNS} FROM locations WHERE location_id = ANY($1::text[])", missing
            )
            for row in rows:
                location = found[row["location_id"]] = Location(**dict(row))
                _KNOWN_LOCATIONS[location.location_id] = location
        return found

    async def upsert(self, location: Location) -> None:
        await self.conn.execute(
            """
            INSERT INTO locations (location_id, kind, market, name, address) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (location_id) DO UPDATE SET kind = EXCLUDED.kind, market = EXCLUDED.market,
                name = EXCLUDED.name, address = EXCLUDED.address
            """,
            location.location_id,
            location.kind,
            location.market,
            location.name,
            location.address,
        )
        _KNOWN_LOCATIONS.pop(location.location_id, None)

    async def eligible(self, market: str, location_id: str | None) -> list[str]:
        if location_id is not None:
            return [location_id]
        return (await self.shipping([market]))[market]

    async def shipping(self, markets: Iterable[str]) -> dict[str, list[str]]:
        """Per market, its warehouses then its refurbishment centres: where online orders ship from."""
        wanted = sorted(set(markets))
        rows = await self.conn.fetch(
            "SELECT market, location_id FROM locations "
            "WHERE market = ANY($1::text[]) AND kind IN ('warehouse', 'refurbishment_centre') "
            "ORDER BY market, kind = 'refurbishment_centre', location_id",
            wanted,
        )
        found: dict[str, list[str]] = {market: [] for market in wanted}
        for row in rows:
            found[row["market"]].append(row["location_id"])
        return found

    async def all(self, after: Key | None, limit: int) -> list[Location]:
        (after_id,) = after or (None,)
        rows = await self.conn.fetch(
            f"SELECT {_LOCATION_COLUMNS} FROM locations WHERE ($1::text IS NULL OR location_id > $1) "
            "ORDER BY location_id LIMIT $2",
            after_id,
            limit,
        )
        return [Location(**dict(row)) for row in rows]

    async def of_kind(self, kind: str) -> list[Location]:
        rows = await self.conn.fetch(
            f"SELECT {_LOCATION_COLUMNS} FROM locations WHERE kind = $1 ORDER BY location_id", kind
        )
        return [Location(**dict(row)) for row in rows]


class SkuRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.known: dict[str, SkuInfo] = {}

    async def get(self, sku: str) -> SkuInfo | None:
        row = await self.conn.fetchrow(
            "SELECT sku, kind, grade, product_id, discontinued FROM skus WHERE sku = $1", sku
        )
        return SkuInfo(**dict(row)) if row else None

    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]:
        """Lock the SKUs' rows in a fixed order (no deadlocks): stock changes of one SKU go one at a
        time, so each availability event is computed from the state the previous one left."""
        rows = await self.conn.fetch(
            "SELECT sku, kind, grade, product_id, discontinued FROM skus WHERE sku = ANY($1::text[]) "
            "ORDER BY sku FOR UPDATE",
            sorted(set(skus)),
        )
        locked = {row["sku"]: SkuInfo(**dict(row)) for row in rows}
        self.known.update(locked)
        return locked

    async def kinds(self, skus: Iterable[str]) -> dict[str, str]:
        wanted = set(skus)
        found = {sku: self.known[sku].kind for sku in wanted if sku in self.known}
        missing = sorted(wanted - set(found))
        if missing:
            rows = await self.conn.fetch("SELECT sku, kind FROM skus WHERE sku = ANY($1::text[])", missing)
            found.update({row["sku"]: row["kind"] for row in rows})
        return found

    async def upsert(self, sku: str, kind: str, grade: str | None, product_id: str) -> None:
        await self.conn.execute(
            """
            INSERT INTO skus (sku, kind, grade, product_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (sku) DO UPDATE SET kind = EXCLUDED.kind, grade = EXCLUDED.grade,
                product_id = EXCLUDED.product_id
            """,
            sku,
            kind,
            grade,
            product_id,
        )

    async def discontinue(self, sku: str) -> None:
        await self.conn.execute("UPDATE skus SET discontinued = true WHERE sku = $1", sku)
