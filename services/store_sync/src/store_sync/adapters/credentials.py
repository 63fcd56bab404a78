"""Shop API keys: random, shown once, kept only as a SHA-256 digest and compared in constant time.

A key reads `rsk_<key id>_<secret>`. The key id finds its row (never the secret), and the digest
of the whole key is compared with `hmac.compare_digest`, so neither the lookup nor the comparison
tells an attacker how close a guess was.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from reloop_shared.db.types import Connection, Pool

PREFIX = "rsk"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str


def new_key() -> tuple[IssuedKey, bytes]:
    key_id = secrets.token_hex(8)
    api_key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return IssuedKey(key_id, api_key), digest(api_key)


def digest(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode()).digest()


def key_id_of(api_key: str) -> str | None:
    parts = api_key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        return None
    return parts[1]


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
