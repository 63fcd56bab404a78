"""CRM's door to the key store: open and seal personal data, matching hashes, destroying keys.

Opening a batch of sealed records fetches every missing subject key in one query (the shared
store's `keys_for`, which unwraps them) and keeps them cached: keys never change, they are only
destroyed, and CRM destroys them itself. The cache is bounded by `cache_size`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Literal, cast

from cryptography.exceptions import InvalidTag

from crm.domain.observations import Sealed
from reloop_contracts.common import SealedPersonalData
from reloop_shared.db.types import Pool
from reloop_shared.personal_data import KeyEncryptionKeys, PersonalDataSealer, PostgresKeyStore, open_with_key

log = logging.getLogger(__name__)


class PrefetchingKeyStore(PostgresKeyStore):
    def __init__(self, pool: Pool, keks: KeyEncryptionKeys, cache_size: int = 500_000) -> None:
        super().__init__(pool, keks, cached_keys=cache_size)
        self.cache_size = cache_size

    def cached(self, subject_id: str) -> bytes | Literal[False] | None:
        """The cached key (None: destroyed), or False when it is not cached."""
        return self._cache.get(subject_id, False)

    async def prefetch(self, subject_ids: set[str]) -> None:
        missing = [s for s in subject_ids if s not in self._cache]
        if not missing:
            return
        if len(self._cache) + len(missing) > self.cache_size:
            self._cache.clear()  # bounded memory; keys are fetched again in bulk when needed
        await self.keys_for(missing)


class Vault:
    """Connected on start (the key store lives in its own database)."""

    def __init__(self, url: str, keks: KeyEncryptionKeys, *, cache_size: int = 500_000) -> None:
        self.url = url
        self.keks = keks
        self.cache_size = cache_size
        self._keys: PrefetchingKeyStore | None = None
        self._pepper: bytes | None = None

    async def connect(self) -> None:
        # Creates the key store's tables when missing, and wraps rows stored before wrapping.
        store = await PostgresKeyStore.connect(self.url, self.keks)
        self._keys = PrefetchingKeyStore(store.pool, self.keks, self.cache_size)

    async def close(self) -> None:
        if self._keys is not None:
            await self._keys.close()
            self._keys = None

    @property
    def keys(self) -> PrefetchingKeyStore:
        if self._keys is None:
            raise RuntimeError("the key store is not connected")
        return self._keys

    async def pepper(self) -> bytes:
        if self._pepper is None:
            self._pepper = await self.keys.pepper()
        return self._pepper

    async def open_many(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]:
        keys = self.keys
        await keys.prefetch({s.key_id for s in sealed})
        opened = []
        for item in sealed:
            # Fetched in bulk just above: looked up here without a coroutine per record.
            key = keys.cached(item.key_id)
            if key is False:
                key = await keys.key_for(item.key_id, create=False)
            opened.append(self._open(key, item))
        return opened

    async def open(self, sealed: Sealed) -> dict[str, str] | None:
        return (await self.open_many([sealed]))[0]

    async def seal(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData | None:
        return await PersonalDataSealer(self.keys).seal_unless_erased(subject_id, fields)

    async def destroy(self, subject_ids: Sequence[str]) -> int:
        return await PersonalDataSealer(self.keys).erase(subject_ids)

    @staticmethod
    def _open(key: bytes | None, sealed: Sealed) -> dict[str, str] | None:
        try:
            # The sealer reads the key id, nonce and ciphertext: a reader's copy serves as well.
            return open_with_key(key, cast(SealedPersonalData, sealed))
        except (InvalidTag, ValueError):
            # Tampered or sealed under another subject's key: unusable, never a reason to stop.
            log.warning("sealed personal data could not be opened", extra={"key_id": sealed.key_id})
            return None
