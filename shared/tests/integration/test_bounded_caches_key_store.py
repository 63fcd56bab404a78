"""The key store keeps a bounded number of subjects' keys in memory; one evicted is read again from
the table, which says whether it was destroyed."""

from __future__ import annotations

import uuid

import pytest

from reloop_localstack.testing import TEST_KEKS
from reloop_shared.personal_data import PostgresKeyStore

pytestmark = pytest.mark.connected


def _subjects(count: int) -> list[str]:
    return [f"subject-{uuid.uuid4()}" for _ in range(count)]


async def test_the_key_store_caches_no_more_keys_than_its_bound(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS, cached_keys=3)
    try:
        subjects = _subjects(4)
        first = [await keys.key_for(subject, create=True) for subject in subjects]
        assert len(keys._cache) == 3
        assert await keys.keys_for(subjects) == dict(zip(subjects, first, strict=True))
        assert len(keys._cache) == 3
    finally:
        await keys.close()


async def test_an_evicted_key_is_read_again_the_same(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS, cached_keys=2)
    try:
        evicted, *others = _subjects(3)
        key = await keys.key_for(evicted, create=True)
        for subject in others:
            await keys.key_for(subject, create=True)
        assert evicted not in keys._cache

        assert await keys.key_for(evicted, create=False) == key
        assert await keys.key_for(evicted, create=True) == key, "a key is never replaced by a new one"
    finally:
        await keys.close()


async def test_a_destroyed_key_still_reads_as_destroyed_once_evicted(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS, cached_keys=2)
    other_process = await PostgresKeyStore.connect(database_url, TEST_KEKS, cached_keys=2)
    try:
        erased, destroyed_elsewhere, *others = _subjects(4)
        await keys.key_for(erased, create=True)
        await keys.key_for(destroyed_elsewhere, create=True)
        assert await keys.destroy(erased)
        assert await other_process.destroy(destroyed_elsewhere)
        for subject in others:  # both are pushed out of `keys`'s cache
            await keys.key_for(subject, create=True)
        assert erased not in keys._cache
        assert destroyed_elsewhere not in keys._cache

        assert await keys.key_for(erased, create=True) is None, "erasure is for good, even when asked to create"
        assert await keys.key_for(destroyed_elsewhere, create=False) is None
        assert await keys.keys_for([erased, destroyed_elsewhere]) == {erased: None, destroyed_elsewhere: None}
    finally:
        await keys.close()
        await other_process.close()
