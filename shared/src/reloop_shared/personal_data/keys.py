"""The key store: one AES-256 key per data subject, and the pepper of the matching hashes.

A port (`KeyStore`) with a local implementation in its own PostgreSQL database (`reloop_keyvault`
on the system's server by default), standing where a KMS or Vault would in production. Only the
services configured with its URL can seal or open personal data.
"""

from __future__ import annotations

import os
from typing import Protocol

from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subject_keys (
    subject_id   TEXT PRIMARY KEY,
    key_material BYTEA,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    destroyed_at TIMESTAMPTZ
);
CREATE TABLE IF NOT EXISTS secrets (
    name  TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
"""


class KeyStore(Protocol):
    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        """The subject's key; created when asked and missing; None once destroyed."""
        ...

    async def destroy(self, subject_id: str) -> bool:
        """Destroy the key for good (erasure). True if a key was destroyed now."""
        ...

    async def pepper(self) -> bytes:
        """The secret of the keyed matching hashes, created once for the whole system."""
        ...


class PostgresKeyStore:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._cache: dict[str, bytes | None] = {}
        self._pepper: bytes | None = None

    @classmethod
    async def connect(cls, url: str) -> PostgresKeyStore:
        pool = await create_pool(url, size=4)
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(7310)")
            try:
                await conn.execute(_SCHEMA)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(7310)")
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        if subject_id in self._cache and (self._cache[subject_id] is not None or not create):
            return self._cache[subject_id]
        async with self.pool.acquire() as conn:
            if create:
                await conn.execute(
                    "INSERT INTO subject_keys (subject_id, key_material) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    subject_id,
                    os.urandom(32),
                )
            row = await conn.fetchrow("SELECT key_material FROM subject_keys WHERE subject_id = $1", subject_id)
        key = bytes(row["key_material"]) if row is not None and row["key_material"] is not None else None
        if key is not None or (row is not None and row["key_material"] is None):
            self._cache[subject_id] = key  # a destroyed key stays destroyed
        return key

    async def destroy(self, subject_id: str) -> bool:
        async with self.pool.acquire() as conn:
            destroyed = await conn.fetchval(
                """
                INSERT INTO subject_keys (subject_id, key_material, destroyed_at) VALUES ($1, NULL, now())
                ON CONFLICT (subject_id) DO UPDATE SET key_material = NULL, destroyed_at = now()
                    WHERE subject_keys.key_material IS NOT NULL
                RETURNING true
                """,
                subject_id,
            )
        self._cache[subject_id] = None
        return bool(destroyed)

    async def pepper(self) -> bytes:
        if self._pepper is None:
            async with self.pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO secrets (name, value) VALUES ('matching_pepper', $1) ON CONFLICT DO NOTHING",
                    os.urandom(32),
                )
                self._pepper = bytes(await conn.fetchval("SELECT value FROM secrets WHERE name = 'matching_pepper'"))
        return self._pepper

    def forget_cached(self, subject_id: str) -> None:
        """Drop a cached key (another process may have destroyed it)."""
        self._cache.pop(subject_id, None)
