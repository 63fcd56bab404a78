"""The key store's rows, wrapped: what each wrapped key is bound to, opening one, and re-wrapping
rows in batches (plain rows from before wrapping, or every row after a key-encryption key rotation).

Only `key_material`/`value` and `kek_id` are ever rewritten: sealed records, wherever they are,
stay as they were, since the data keys themselves do not change.
"""

from __future__ import annotations

from collections.abc import Callable

from reloop_shared.db.types import Connection
from reloop_shared.personal_data.key_encryption_keys import KeyEncryptionKeys

BATCH_SIZE = 5000


class PlainKeyRow(ValueError):
    """A row holds a key that is not wrapped: written by hand, or by a process from before wrapping."""


def subject_row(subject_id: str) -> str:
    """What a subject's wrapped key is bound to: it opens on this subject's row only."""
    return f"subject:{subject_id}"


def secret_row(name: str) -> str:
    return f"secret:{name}"


def unwrapped(keks: KeyEncryptionKeys, bound_to: str, material: bytes | None, kek_id: str | None) -> bytes | None:
    """The plain key of a row, or None when it was destroyed."""
    if material is None:
        return None
    if kek_id is None:
        # Never taken as a plain key: whoever can write the table could plant one and read what
        # is sealed under it from then on. Connecting wraps every plain row there was.
        raise PlainKeyRow(f"{bound_to} holds a key that is not wrapped; connect the key store to wrap it")
    return keks.unwrap(kek_id, bytes(material), bound_to=bound_to)


async def wrap_plain_rows(conn: Connection, keks: KeyEncryptionKeys) -> int:
    """Wrap the rows stored before keys were wrapped (kek_id NULL); how many. Idempotent."""
    return await _rewrap(conn, keks, lambda bound_to, material, kek_id: material, other_than=None)


async def rewrap_rows(conn: Connection, keks: KeyEncryptionKeys) -> int:
    """Wrap every row under the current key-encryption key; how many were re-wrapped. Passes are
    repeated until one finds nothing, so keys created meanwhile under an older key are caught."""
    current = keks.current_id()
    total = 0
    while True:
        rewrapped = await _rewrap(conn, keks, _unwrapped_row(keks), other_than=current)
        total += rewrapped
        if rewrapped == 0:
            return total


async def kek_ids_in_use(conn: Connection) -> set[str]:
    rows = await conn.fetch(
        "SELECT kek_id FROM subject_keys WHERE kek_id IS NOT NULL "
        "UNION SELECT kek_id FROM secrets WHERE kek_id IS NOT NULL"
    )
    return {row["kek_id"] for row in rows}


def _unwrapped_row(keks: KeyEncryptionKeys) -> Callable[[str, bytes, str | None], bytes]:
    def plain_of(bound_to: str, material: bytes, kek_id: str | None) -> bytes:
        plain = unwrapped(keks, bound_to, material, kek_id)
        assert plain is not None  # only rows with material are read
        return plain

    return plain_of


async def _rewrap(
    conn: Connection,
    keks: KeyEncryptionKeys,
    plain_of: Callable[[str, bytes, str | None], bytes],
    *,
    other_than: str | None,
) -> int:
    """Rewrite, in batches, the rows not wrapped under `other_than` (None: the plain rows)."""
    which = "kek_id IS NULL AND $3::text IS NULL" if other_than is None else "kek_id IS DISTINCT FROM $3::text"
    count = 0
    for table, key_column, material_column, bound in (
        ("subject_keys", "subject_id", "key_material", subject_row),
        ("secrets", "name", "value", secret_row),
    ):
        after = ""
        while True:
            rows = await conn.fetch(
                f"SELECT {key_column} AS id, {material_column} AS material, kek_id FROM {table} "
                f"WHERE {material_column} IS NOT NULL AND {which} AND {key_column} > $1 ORDER BY {key_column} LIMIT $2",
                after,
                BATCH_SIZE,
                other_than,
            )
            if not rows:
                break
            ids, materials, kek_ids, previous = [], [], [], []
            for row in rows:
                bound_to = bound(row["id"])
                plain = plain_of(bound_to, bytes(row["material"]), row["kek_id"])
                kek_id, wrapped = keks.wrap(plain, bound_to=bound_to)
                ids.append(row["id"])
                materials.append(wrapped)
                kek_ids.append(kek_id)
                previous.append(row["kek_id"])
            # Only rows still as they were read: a key destroyed meanwhile stays destroyed.
            updated = await conn.fetch(
                f"""
                UPDATE {table} t SET {material_column} = u.material, kek_id = u.kek_id
                FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[]) AS u(id, material, kek_id, previous)
                WHERE t.{key_column} = u.id AND t.{material_column} IS NOT NULL
                  AND t.kek_id IS NOT DISTINCT FROM u.previous
                RETURNING 1
                """,
                ids,
                materials,
                kek_ids,
                previous,
            )
            count += len(updated)
            after = ids[-1]
    return count
