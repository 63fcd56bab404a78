"""The key store: one AES-256 key per data subject, and the pepper of the matching hashes.

A port (`KeyStore`) with a local implementation in its own PostgreSQL database (`reloop_keyvault`
on the system's server by default), standing where a KMS or Vault would in production. Only the
services configured with its URL can seal or open personal data. Every key is stored wrapped under
a key-encryption key (`key_encryption_keys`): the database alone opens nothing.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from typing import Protocol

from reloop_shared.bounded import LeastRecentlyUsed
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool
from reloop_shared.personal_data.key_encryption_keys import KeyEncryptionKeys
from reloop_shared.personal_data.wrapped_rows import secret_row, subject_row, unwrapped, wrap_plain_rows

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
ALTER TABLE subject_keys ADD COLUMN IF NOT EXISTS kek_id TEXT;
ALTER TABLE secrets ADD COLUMN IF NOT EXISTS kek_id TEXT;
"""

_PEPPER = "matching_pepper"

CACHED_KEYS = 100_000
"""Subjects' keys kept in memory by default (a few hundred bytes each, about 30 MB): the customers
active lately, not every one of millions. One evicted is read again from `subject_keys`, which
also says when it was destroyed."""


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
    def __init__(self, pool: Pool, keks: KeyEncryptionKeys, *, cached_keys: int = CACHED_KEYS) -> None:
        self.pool = pool
        self.keks = keks
        self._cache: LeastRecentlyUsed[str, bytes | None] = LeastRecentlyUsed(cached_keys)
        self._pepper: bytes | None = None

    @classmethod
    async def connect(cls, url: str, keks: KeyEncryptionKeys, *, cached_keys: int = CACHED_KEYS) -> PostgresKeyStore:
        pool = await create_pool(url, size=4)
        async with pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock(7310)")
            try:
                await conn.execute(_SCHEMA)
                # A key store from before wrapping keeps opening its records: its rows are wrapped
                # in place, once, by the first process that connects.
                await wrap_plain_rows(conn, keks)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(7310)")
        store = cls(pool, keks, cached_keys=cached_keys)
        try:
            # Every sealed record needs the pepper: a process holding another environment's
            # key-encryption keys stops here, by name, instead of failing on every event it meets.
            await store.pepper()
        except BaseException:
            await pool.close()
            raise
        return store

    async def close(self) -> None:
        await self.pool.close()

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        if subject_id in self._cache and (self._cache[subject_id] is not None or not create):
            return self._cache[subject_id]
        async with self.pool.acquire() as conn:
            if create:
                kek_id, wrapped = self.keks.wrap(os.urandom(32), bound_to=subject_row(subject_id))
                await conn.execute(
                    "INSERT INTO subject_keys (subject_id, key_material, kek_id) VALUES ($1, $2, $3) "
                    "ON CONFLICT DO NOTHING",
                    subject_id,
                    wrapped,
                    kek_id,
                )
            row = await conn.fetchrow("SELECT key_material, kek_id FROM subject_keys WHERE subject_id = $1", subject_id)
        if row is None:
            return None
        key = unwrapped(self.keks, subject_row(subject_id), row["key_material"], row["kek_id"])
        self._cache[subject_id] = key  # a destroyed key stays destroyed
        return key

    async def keys_for(self, subject_ids: Collection[str]) -> dict[str, bytes | None]:
        """Many subjects' keys in one query (None: destroyed); subjects without a key are left out.
        Each is cached, like `key_for`'s."""
        # The cached ones are taken first: caching the fetched ones may evict some of them.
        found: dict[str, bytes | None] = {s: self._cache[s] for s in subject_ids if s in self._cache}
        missing = [s for s in subject_ids if s not in found]
        if missing:
            async with self.pool.acquire() as conn:
                rows = await conn.fetch(
                    "SELECT subject_id, key_material, kek_id FROM subject_keys WHERE subject_id = ANY($1::text[])",
                    missing,
                )
            for row in rows:
                subject = row["subject_id"]
                found[subject] = self._cache[subject] = unwrapped(
                    self.keks, subject_row(subject), row["key_material"], row["kek_id"]
                )
        return found

    async def destroy(self, subject_id: str) -> bool:
        async with self.pool.acquire() as conn:
            destroyed = await conn.fetchval(
                """
                INSERT INTO subject_keys (subject_id, key_material, destroyed_at) VALUES ($1, NULL, now())
                ON CONFLICT (subject_id) DO UPDATE SET key_material = NULL, kek_id = NULL, destroyed_at = now()
                    WHERE subject_keys.key_material IS NOT NULL
                RETURNING true
                """,
                subject_id,
            )
        self._cache[subject_id] = None
        return bool(destroyed)

    async def pepper(self) -> bytes:
        if self._pepper is None:
            bound_to = secret_row(_PEPPER)
            kek_id, wrapped = self.keks.wrap(os.urandom(32), bound_to=bound_to)
            async with self.pool.acquire() as conn:
                await conn.execute(
                    "INSERT INTO secrets (name, value, kek_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    _PEPPER,
                    wrapped,
                    kek_id,
                )
                row = await conn.fetchrow("SELECT value, kek_id FROM secrets WHERE name = $1", _PEPPER)
            assert row is not None  # inserted just above, or already there
            self._pepper = unwrapped(self.keks, bound_to, row["value"], row["kek_id"])
            assert self._pepper is not None  # the pepper is never destroyed
        return self._pepper

    def forget_cached(self, subject_id: str) -> None:
        """Drop a cached key (another process may have destroyed it)."""
        self._cache.pop(subject_id, None)
