"""Crypto-shredding against a real key store: sealed data opens until the subject's key is destroyed."""

from __future__ import annotations

import uuid

import pytest

from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore, matching_hash, normalise_phone

pytestmark = pytest.mark.connected


async def test_sealed_personal_data_opens_until_the_key_is_destroyed_then_never_again(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url)
    other_process = await PostgresKeyStore.connect(database_url)
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


async def test_matching_hashes_agree_for_the_same_person_written_differently(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url)
    try:
        pepper = await keys.pepper()
        assert pepper == await keys.pepper()
        local = matching_hash(pepper, "phone", normalise_phone("06 12 34 56 78"))
        international = matching_hash(pepper, "phone", normalise_phone("+33 6 12 34 56 78"))
        assert local == international
        assert local != matching_hash(b"another pepper", "phone", normalise_phone("06 12 34 56 78"))
    finally:
        await keys.close()


async def test_erasing_subjects_counts_the_keys_destroyed_and_nothing_new_is_sealed_for_them(database_url: str) -> None:
    keys = await PostgresKeyStore.connect(database_url)
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
