"""The key store in memory, for services' in-memory twins: the same answers as `PostgresKeyStore`."""

from __future__ import annotations

import os


class InMemoryKeyStore:
    """Subjects' keys in a dict. A key is created when first asked for; destroying one leaves a
    tombstone, so an erased subject (even one never seen before) never gets a key again."""

    def __init__(self, pepper: bytes | None = None) -> None:
        self.keys: dict[str, bytes | None] = {}
        self._pepper = pepper or os.urandom(32)

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        if create and subject_id not in self.keys:
            self.keys[subject_id] = os.urandom(32)
        return self.keys.get(subject_id)

    async def destroy(self, subject_id: str) -> bool:
        destroyed = self.keys.get(subject_id, b"") is not None
        self.keys[subject_id] = None
        return destroyed

    async def pepper(self) -> bytes:
        return self._pepper
