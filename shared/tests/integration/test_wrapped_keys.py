"""Wrapped data keys against a real key store: the key database alone opens nothing, the store
with its key-encryption keys opens everything, and rotating them never touches a sealed record."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import asyncpg
import pytest
from cryptography.exceptions import InvalidTag

from reloop_contracts.common import SealedPersonalData
from reloop_shared.cli.main import build_parser
from reloop_shared.personal_data import (
    InMemoryKeyStore,
    LocalKeyEncryptionKeys,
    PersonalDataSealer,
    PostgresKeyStore,
    UnknownKeyEncryptionKey,
    open_with_key,
)
from reloop_shared.personal_data.kek_rotation import rotate_key_encryption_keys
from reloop_shared.personal_data.wrapped_rows import PlainKeyRow

pytestmark = pytest.mark.connected

ADA = {"email": "ada@example.org", "phone": "+33 6 12 34 56 78"}


@pytest.fixture
def keks(tmp_path: Path) -> LocalKeyEncryptionKeys:
    return LocalKeyEncryptionKeys(tmp_path / "key-encryption-keys.json")


def subject() -> str:
    return f"subject-{uuid.uuid4()}"


async def seal_some(url: str, keks: LocalKeyEncryptionKeys, count: int) -> list[SealedPersonalData]:
    keys = await PostgresKeyStore.connect(url, keks)
    try:
        return [await PersonalDataSealer(keys).seal(subject(), ADA) for _ in range(count)]
    finally:
        await keys.close()


async def opened_by_a_fresh_store(url: str, keks: LocalKeyEncryptionKeys, sealed: SealedPersonalData) -> object:
    keys = await PostgresKeyStore.connect(url, LocalKeyEncryptionKeys(keks.path))
    try:
        return await PersonalDataSealer(keys).open(sealed)
    finally:
        await keys.close()


async def dump(url: str) -> list[bytes]:
    """Every value of every row of both key tables: what a stolen backup of the key store holds."""
    conn = await asyncpg.connect(url)
    try:
        rows = [*await conn.fetch("SELECT * FROM subject_keys"), *await conn.fetch("SELECT * FROM secrets")]
    finally:
        await conn.close()
    return [value if isinstance(value, bytes) else str(value).encode() for row in rows for value in row.values()]


async def wrapped_material(url: str) -> dict[str, bytes]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT subject_id AS id, key_material AS material FROM subject_keys "
            "UNION ALL SELECT name, value FROM secrets"
        )
    finally:
        await conn.close()
    return {row["id"]: bytes(row["material"]) for row in rows}


def candidate_keys(value: bytes) -> list[bytes]:
    """Every 32 bytes in a stored value, at every offset: a key hidden anywhere in it is tried."""
    return [value[start : start + 32] for start in range(max(0, len(value) - 31))]


async def test_the_key_table_dumped_alone_opens_no_sealed_record(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    sealed = await seal_some(database_url, keks, 3)
    keys = await PostgresKeyStore.connect(database_url, keks)
    await keys.pepper()
    await keys.close()

    stolen = await dump(database_url)
    assert len(stolen) >= 3 * 2
    for record in sealed:
        for value in stolen:
            for candidate in candidate_keys(value):
                with pytest.raises(InvalidTag):
                    open_with_key(candidate, record)
    # ...while the store with its key-encryption keys opens every one of them.
    assert [await opened_by_a_fresh_store(database_url, keks, record) for record in sealed] == [ADA] * 3


async def test_after_a_kek_rotation_every_old_record_opens_and_the_retired_kek_is_gone(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    sealed = await seal_some(database_url, keks, 5)
    keys = await PostgresKeyStore.connect(database_url, keks)
    pepper = await keys.pepper()
    await keys.close()
    old = keks.current_id()
    before = await wrapped_material(database_url)

    rotation = await rotate_key_encryption_keys(database_url, keks)

    assert rotation.rewrapped == 6  # five subjects' keys and the pepper
    assert rotation.retired == [old]
    assert [k.kid for k in LocalKeyEncryptionKeys(keks.path).held()] == [rotation.current]
    assert old not in keks.path.read_text()
    conn = await asyncpg.connect(database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM subject_keys WHERE kek_id = $1", old) == 0
        assert await conn.fetchval("SELECT count(*) FROM secrets WHERE kek_id = $1", old) == 0
    finally:
        await conn.close()
    after = await wrapped_material(database_url)
    assert after.keys() == before.keys()
    assert all(after[row] != before[row] for row in before)  # every row re-wrapped
    assert [await opened_by_a_fresh_store(database_url, keks, record) for record in sealed] == [ADA] * 5
    rotated = await PostgresKeyStore.connect(database_url, LocalKeyEncryptionKeys(keks.path))
    try:
        assert await rotated.pepper() == pepper
    finally:
        await rotated.close()


async def test_a_wrapped_key_copied_onto_another_subjects_row_does_not_unwrap(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    ada, grace = subject(), subject()
    keys = await PostgresKeyStore.connect(database_url, keks)
    try:
        sealer = PersonalDataSealer(keys)
        sealed_for_ada = await sealer.seal(ada, ADA)
        await sealer.seal(grace, {"email": "grace@example.org"})
        async with keys.pool.acquire() as conn:
            await conn.execute(
                "UPDATE subject_keys g SET key_material = a.key_material, kek_id = a.kek_id "
                "FROM subject_keys a WHERE a.subject_id = $1 AND g.subject_id = $2",
                ada,
                grace,
            )
        other_process = await PostgresKeyStore.connect(database_url, keks)
        try:
            with pytest.raises(InvalidTag):
                await other_process.key_for(grace, create=False)
            # Passing Ada's record off as Grace's opens nothing either.
            moved = sealed_for_ada.model_copy(update={"key_id": grace})
            with pytest.raises(InvalidTag):
                await PersonalDataSealer(other_process).open(moved)
        finally:
            await other_process.close()
    finally:
        await keys.close()


async def test_plain_rows_from_before_wrapping_are_wrapped_on_connect_and_still_open(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    # A key store as it was before keys were wrapped: its tables, plain keys, a plain pepper.
    legacy = InMemoryKeyStore()
    ada, erased = subject(), subject()
    sealed = await PersonalDataSealer(legacy).seal(ada, ADA)
    plain_key, pepper = await legacy.key_for(ada, create=False), await legacy.pepper()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            """
            CREATE TABLE subject_keys (subject_id TEXT PRIMARY KEY, key_material BYTEA,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(), destroyed_at TIMESTAMPTZ);
            CREATE TABLE secrets (name TEXT PRIMARY KEY, value BYTEA NOT NULL);
            """
        )
        await conn.execute("INSERT INTO subject_keys (subject_id, key_material) VALUES ($1, $2)", ada, plain_key)
        await conn.execute("INSERT INTO subject_keys (subject_id, destroyed_at) VALUES ($1, now())", erased)
        await conn.execute("INSERT INTO secrets (name, value) VALUES ('matching_pepper', $1)", pepper)

        stores = [await PostgresKeyStore.connect(database_url, keks) for _ in range(2)]  # the second: no-op
        try:
            rows = await conn.fetch("SELECT subject_id, key_material, kek_id FROM subject_keys ORDER BY subject_id")
            wrapped = {r["subject_id"]: (r["key_material"], r["kek_id"]) for r in rows}
            assert wrapped[ada][1] == keks.current_id()
            assert plain_key is not None
            assert plain_key not in wrapped[ada][0]
            assert wrapped[erased] == (None, None)  # a destroyed key stays destroyed
            assert await conn.fetchval("SELECT kek_id FROM secrets") == keks.current_id()
            assert await PersonalDataSealer(stores[1]).open(sealed) == ADA
            assert await stores[1].pepper() == pepper
            assert await stores[1].key_for(erased, create=True) is None
        finally:
            for store in stores:
                await store.close()
    finally:
        await conn.close()


async def test_a_plain_key_planted_in_the_table_is_refused_not_used(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    planted = subject()
    keys = await PostgresKeyStore.connect(database_url, keks)
    try:
        async with keys.pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO subject_keys (subject_id, key_material) VALUES ($1, $2)", planted, b"k" * 32
            )
        with pytest.raises(PlainKeyRow, match=planted):
            await keys.key_for(planted, create=True)
    finally:
        await keys.close()


async def test_many_keys_are_read_in_one_call_unwrapped_with_destroyed_ones_as_none(
    database_url: str, keks: LocalKeyEncryptionKeys
) -> None:
    kept, erased, unknown = subject(), subject(), subject()
    keys = await PostgresKeyStore.connect(database_url, keks)
    try:
        sealed = await PersonalDataSealer(keys).seal(kept, ADA)
        await keys.key_for(erased, create=True)
        await keys.destroy(erased)
        fresh = await PostgresKeyStore.connect(database_url, LocalKeyEncryptionKeys(keks.path))
        try:
            found = await fresh.keys_for([kept, erased, unknown])
        finally:
            await fresh.close()
        assert set(found) == {kept, erased}
        assert found[erased] is None
        assert open_with_key(found[kept], sealed) == ADA
    finally:
        await keys.close()


async def test_the_key_file_names_no_key_the_database_holds(database_url: str, keks: LocalKeyEncryptionKeys) -> None:
    await seal_some(database_url, keks, 2)
    held = {base64.b64decode(k["key"]) for k in json.loads(keks.path.read_text())["keys"]}
    stolen = await dump(database_url)
    assert not [key for key in held for value in stolen if key in value]


async def test_reloop_keys_rotate_kek_prints_how_many_keys_it_rewrapped(
    database_url: str, keks: LocalKeyEncryptionKeys, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sealed = await seal_some(database_url, keks, 2)
    monkeypatch.setenv("RELOOP_KEY_ENCRYPTION_KEYS", str(keks.path))
    arguments = build_parser().parse_args(["keys", "rotate-kek", "--database-url", database_url])

    assert await arguments.run(arguments) == 0

    printed = capsys.readouterr().out
    # The two subjects' keys and the pepper (made when the store first opened).
    assert f"re-wrapped 3 key(s) under {LocalKeyEncryptionKeys(keks.path).current_id()}" in printed
    assert [await opened_by_a_fresh_store(database_url, keks, record) for record in sealed] == [ADA] * 2


async def test_a_key_store_opened_with_another_environment_s_keks_refuses_to_open_naming_its_file(
    database_url: str, keks: LocalKeyEncryptionKeys, tmp_path: Path
) -> None:
    await seal_some(database_url, keks, 1)
    elsewhere = LocalKeyEncryptionKeys(tmp_path / "another-environment.json")
    with pytest.raises(UnknownKeyEncryptionKey, match=r"another-environment\.json"):
        await PostgresKeyStore.connect(database_url, elsewhere)
