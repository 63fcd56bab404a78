"""A service's key store: a database of its own, opened when the service starts and closed when
it stops, or a store a test hands in."""

from __future__ import annotations

from collections.abc import Callable

from reloop_shared.personal_data.key_encryption_keys import KeyEncryptionKeys
from reloop_shared.personal_data.keys import KeyStore, PostgresKeyStore


class ServiceKeyStore:
    """Stands for the key store from the service's wiring on, before the store is open.

    `url` is asked for at start (the runtime knows the key store's database by then), `keks` wrap
    and unwrap its keys; a `given` store (a test's) is used as is and never closed here."""

    def __init__(self, url: Callable[[], str], given: KeyStore | None = None, *, keks: KeyEncryptionKeys) -> None:
        self._url = url
        self._keks = keks
        self._store = given
        self._opened: PostgresKeyStore | None = None

    async def open(self) -> None:
        if self._store is None:
            self._opened = await PostgresKeyStore.connect(self._url(), self._keks)
            self._store = self._opened

    async def close(self) -> None:
        if self._opened is not None:
            await self._opened.close()
            self._store = self._opened = None

    def _open(self) -> KeyStore:
        if self._store is None:
            raise RuntimeError("the key store is not open yet")
        return self._store

    async def key_for(self, subject_id: str, *, create: bool) -> bytes | None:
        return await self._open().key_for(subject_id, create=create)

    async def destroy(self, subject_id: str) -> bool:
        return await self._open().destroy(subject_id)

    async def pepper(self) -> bytes:
        return await self._open().pepper()
