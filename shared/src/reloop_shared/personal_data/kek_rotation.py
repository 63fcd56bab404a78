"""Rotating the key-encryption keys: a new one wraps every stored key, the old ones go.

Only the wrapping changes: the data keys stay the same, so every record sealed under them, on
every topic and in every database, opens as before and is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass

from reloop_shared.personal_data.key_encryption_keys import LocalKeyEncryptionKeys
from reloop_shared.personal_data.keys import PostgresKeyStore
from reloop_shared.personal_data.wrapped_rows import kek_ids_in_use, rewrap_rows


@dataclass(frozen=True)
class KekRotation:
    current: str
    rewrapped: int
    retired: list[str]


async def rotate_key_encryption_keys(url: str, keks: LocalKeyEncryptionKeys) -> KekRotation:
    """Add a key-encryption key, re-wrap every key of the store at `url` under it, then remove
    the keys no row is wrapped under any more."""
    store = await PostgresKeyStore.connect(url, keks)  # wraps plain rows, if any, first
    try:
        fresh = keks.rotate()
        async with store.pool.acquire() as conn:
            # One rotation at a time, and never while a connecting process wraps plain rows.
            await conn.execute("SELECT pg_advisory_lock(7310)")
            try:
                rewrapped = await rewrap_rows(conn, keks)
                in_use = await kek_ids_in_use(conn)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(7310)")
    finally:
        await store.close()
    return KekRotation(fresh.kid, rewrapped, keks.retire(in_use))
