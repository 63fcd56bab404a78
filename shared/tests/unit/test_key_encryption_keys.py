"""The local key-encryption keys: an owner-only file, the newest key wraps, the older ones only
unwrap until retired, and a wrapped key opens on the row it was bound to only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag

from reloop_shared.personal_data import InMemoryKeyStore, LocalKeyEncryptionKeys, UnknownKeyEncryptionKey

DATA_KEY = os.urandom(32)


def test_the_key_file_is_created_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "config" / "key-encryption-keys.json")
    assert not keks.path.exists()

    keks.wrap(DATA_KEY, bound_to="subject:ada")

    assert stat.S_IMODE(keks.path.stat().st_mode) == 0o600
    assert [path.name for path in keks.path.parent.iterdir()] == ["key-encryption-keys.json"]


def test_a_wrapped_key_unwraps_to_the_same_key_and_does_not_contain_it(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "keks.json")
    kek_id, wrapped = keks.wrap(DATA_KEY, bound_to="subject:ada")

    assert DATA_KEY not in wrapped
    assert LocalKeyEncryptionKeys(keks.path).unwrap(kek_id, wrapped, bound_to="subject:ada") == DATA_KEY


def test_the_newest_key_wraps_and_the_older_ones_still_unwrap_until_retired(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "keks.json")
    old_id, old_wrapped = keks.wrap(DATA_KEY, bound_to="subject:ada")

    fresh = keks.rotate()
    new_id, _ = keks.wrap(DATA_KEY, bound_to="subject:ada")

    assert new_id == fresh.kid == keks.current_id() != old_id
    assert keks.unwrap(old_id, old_wrapped, bound_to="subject:ada") == DATA_KEY
    assert keks.retire(in_use={fresh.kid}) == [old_id]
    with pytest.raises(UnknownKeyEncryptionKey, match=old_id):
        keks.unwrap(old_id, old_wrapped, bound_to="subject:ada")


def test_retiring_keeps_the_current_key_and_every_key_a_row_still_uses(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "keks.json")
    first = keks.current_id()
    second = keks.rotate().kid
    third = keks.rotate().kid

    assert keks.retire(in_use={first}) == [second]
    assert [k.kid for k in keks.held()] == [first, third]


def test_a_process_holding_the_file_reads_a_rotation_made_by_another_before_it_wraps(tmp_path: Path) -> None:
    service, operator = LocalKeyEncryptionKeys(tmp_path / "keks.json"), LocalKeyEncryptionKeys(tmp_path / "keks.json")
    service.wrap(DATA_KEY, bound_to="subject:ada")

    fresh = operator.rotate()

    assert service.wrap(DATA_KEY, bound_to="subject:ada")[0] == fresh.kid


def test_a_key_id_that_is_not_held_is_refused_naming_it_and_the_file(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "keks.json")
    _, wrapped = keks.wrap(DATA_KEY, bound_to="subject:ada")

    with pytest.raises(UnknownKeyEncryptionKey, match=r"kek-from-elsewhere.*keks\.json"):
        keks.unwrap("kek-from-elsewhere", wrapped, bound_to="subject:ada")


def test_a_key_wrapped_for_one_row_does_not_unwrap_for_another(tmp_path: Path) -> None:
    keks = LocalKeyEncryptionKeys(tmp_path / "keks.json")
    kek_id, wrapped = keks.wrap(DATA_KEY, bound_to="subject:ada")

    with pytest.raises(InvalidTag):
        keks.unwrap(kek_id, wrapped, bound_to="subject:grace")
    with pytest.raises(InvalidTag):
        keks.unwrap(kek_id, wrapped, bound_to="secret:matching_pepper")


def test_services_starting_together_on_a_missing_file_all_wrap_under_the_same_first_key(tmp_path: Path) -> None:
    processes = [LocalKeyEncryptionKeys(tmp_path / "keks.json") for _ in range(3)]

    assert len({keks.current_id() for keks in processes}) == 1
    assert len(processes[0].held()) == 1


async def test_the_in_memory_key_store_creates_a_key_once_and_never_again_after_erasure() -> None:
    keys = InMemoryKeyStore()
    first = await keys.key_for("ada", create=True)

    assert first is not None
    assert len(first) == 32
    assert await keys.key_for("ada", create=True) == first
    assert await keys.destroy("ada")
    assert await keys.key_for("ada", create=True) is None
    assert not await keys.destroy("ada")
