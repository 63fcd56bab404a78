"""Shop API keys in the database (digests only), and which shop a presented key belongs to.

The digest of the whole key is compared with `hmac.compare_digest`, so neither the lookup (by key
id, see `domain.shop_keys`) nor the comparison tells an attacker how close a guess was.
"""

from __future__ import annotations

import hmac
import time

from reloop_shared.db.types import Connection, Pool
from store_sync.domain.shop_keys import digest, key_id_of


class CredentialRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, shop_id: str, key_id: str, key_hash: bytes) -> None:
        await self.conn.execute(
            "INSERT INTO shop_credentials (key_id, shop_id, key_hash) VALUES ($1, $2, $3)", key_id, shop_id, key_hash
        )

    async def revoke(self, shop_id: str, key_id: str) -> bool:
        revoked = await self.conn.fetchval(
            """
            UPDATE shop_credentials SET revoked_at = now()
            WHERE key_id = $1 AND shop_id = $2 AND revoked_at IS NULL RETURNING true
            """,
            key_id,
            shop_id,
        )
        return revoked is True


class Authenticator:
    """Which shop an API key belongs to. Found keys are cached for `ttl` seconds, so a till
    posting every second costs no extra query; a revoked key stops working within `ttl`."""

    def __init__(self, pool: Pool, ttl: float = 5.0) -> None:
        self.pool = pool
        self.ttl = ttl
        self._cache: dict[str, tuple[float, str, bytes]] = {}

    async def shop_of(self, api_key: str) -> str | None:
        key_id = key_id_of(api_key)
        if key_id is None:
            return None
        cached = self._cache.get(key_id)
        if cached is None or cached[0] < time.monotonic():
            async with self.pool.acquire() as conn:
                row = await conn.fetchrow(
                    """
                    SELECT c.shop_id, c.key_hash FROM shop_credentials c JOIN shops s USING (shop_id)
                    WHERE c.key_id = $1 AND c.revoked_at IS NULL AND s.active
                    """,
                    key_id,
                )
            if row is None:
                self._cache.pop(key_id, None)
                return None
            cached = (time.monotonic() + self.ttl, row["shop_id"], bytes(row["key_hash"]))
            self._cache[key_id] = cached
        _, shop_id, key_hash = cached
        return shop_id if hmac.compare_digest(digest(api_key), key_hash) else None

    def forget(self, key_id: str) -> None:
        self._cache.pop(key_id, None)
