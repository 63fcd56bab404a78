"""Crypto-shredding against a real key store: sealed data opens until the subject's key is destroyed."""

from __future__ import annotations

import uuid

import pytest

from reloop_localstack.testing import TEST_KEKS
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore

pytestmark = pytest.mark.connected


async def test_sealed_personal_data_opens_until_the_key_is_destroyed_then_never_again(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS)
    other_process = await PostgresKeyStore.connect(database_url, TEST_KEKS)
    sealer = PersonalDataSealer(keys)
    subject = f"subject-{uuid.uuid4()}"
    try:
        sealed = await sealer.seal(subject, {"email": "ada@example.org", "phone": "+33 6 12 34 56 78"})
        assert "ada@example.org" not in sealed.ciphertext
        assert await PersonalDataSealer(other_process).open(sealed) == {
            "email": "ada@example.org",
            "phone": "+33 6 12 34 56 78",
        }
        assert await keys.destroy(subject)
        other_process.forget_cached(subject)
        assert await PersonalDataSealer(other_process).open(sealed) is None
        with pytest.raises(PermissionError):
            await sealer.seal(subject, {"email": "ada@example.org"})
    finally:
        await keys.close()
        await other_process.close()


async def test_the_matching_pepper_is_created_once_and_the_same_on_every_read(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS)
    other_process = await PostgresKeyStore.connect(database_url, TEST_KEKS)
    try:
        pepper = await keys.pepper()
        assert len(pepper) >= 32
        assert pepper == await keys.pepper() == await other_process.pepper()
    finally:
        await keys.close()
        await other_process.close()


async def test_erasing_subjects_counts_the_keys_destroyed_and_nothing_new_is_sealed_for_them(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url, TEST_KEKS)
    sealer = PersonalDataSealer(keys)
    kept, erased = f"subject-{uuid.uuid4()}", f"subject-{uuid.uuid4()}"
    try:
        sealed = await sealer.seal(erased, {"email": "grace@example.org"})
        await sealer.seal(kept, {"email": "ada@example.org"})
        never_seen = f"never-seen-{uuid.uuid4()}"  # erased before anything was sealed: a tombstone
        assert await sealer.erase([erased, never_seen]) == 2
        assert await sealer.erase([erased]) == 0
        assert await sealer.seal_unless_erased(never_seen, {"email": "someone@example.org"}) is None
        assert await sealer.open(sealed) is None
        assert await sealer.seal_unless_erased(erased, {"email": "grace@example.org"}) is None
        assert await sealer.seal_unless_erased(kept, {"phone": "+33 6 12 34 56 78"}) is not None
    finally:
        await keys.close()
