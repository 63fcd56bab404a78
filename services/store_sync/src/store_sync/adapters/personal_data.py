"""Personal data store-sync holds, and its erasure.

Store-sync never stores contact details in clear. What identifies a person here: the account id a
customer showed at a till (`customer_id`) and the data subjects whose contact details it sealed
(into events, into returns waiting for their sale, into quarantined tickets). Erasure destroys
those subjects' keys (which makes every sealed copy, on every topic, unreadable), drops the
sealed blobs it kept and the account ids. The subject ids stay: without their key they are
meaningless, and they let a repeated request find what was already erased.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from reloop_contracts.common import SealedPersonalData
from reloop_shared.db.types import Connection
from reloop_shared.personal_data import PersonalDataSealer
from store_sync.domain.policy import Sealed
from store_sync.service_layer.ports import Erased

_ERASE_TRANSACTIONS = """
UPDATE pos_transactions SET customer_id = NULL,
    waiting = CASE WHEN waiting IS NULL OR waiting -> 'customer' = 'null'::jsonb THEN waiting
                   ELSE jsonb_set(jsonb_set(waiting, '{customer,customer_id}', 'null'), '{customer,sealed}', 'null')
              END
WHERE subject_id = ANY($1::text[]) OR customer_id = ANY($2::text[])
RETURNING subject_id
"""

_ERASE_QUARANTINE = """
UPDATE quarantine SET customer_id = NULL, customer = CASE WHEN customer IS NULL THEN NULL
        ELSE customer - 'sealed' - 'customer_id' END
WHERE subject_id = ANY($1::text[]) OR customer_id = ANY($2::text[])
RETURNING subject_id
"""


class PersonalRecordsRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def erase(self, subject_ids: Sequence[str], customer_ids: Sequence[str]) -> Erased:
        """Drop account ids and sealed blobs of these people; the subjects store-sync sealed for them."""
        subjects, customers = list(subject_ids), list(customer_ids)
        rows = [
            *await self.conn.fetch(_ERASE_TRANSACTIONS, subjects, customers),
            *await self.conn.fetch(_ERASE_QUARANTINE, subjects, customers),
        ]
        found = sorted({r["subject_id"] for r in rows if r["subject_id"]})
        return Erased(len(rows), found)


class ContactSealer:
    """Seals contact details under their data subject's key (crypto-shredding), opens them for a
    quarantine replay, destroys keys on erasure. The key store stands where a KMS would."""

    def __init__(self, sealer: PersonalDataSealer, *, concurrency: int = 4) -> None:
        self.sealer = sealer
        self._slots = asyncio.Semaphore(concurrency)

    async def seal_all(self, requests: Sequence[tuple[str, dict[str, str]]]) -> dict[str, Sealed | None]:
        """Subject id -> sealed fields; None for a subject erased meanwhile (no key any more)."""
        results = await asyncio.gather(*(self._seal(subject, fields) for subject, fields in requests))
        return dict(zip((subject for subject, _ in requests), results, strict=True))

    async def _seal(self, subject_id: str, fields: dict[str, str]) -> Sealed | None:
        async with self._slots:
            sealed = await self.sealer.seal_unless_erased(subject_id, fields)
        return Sealed(sealed.key_id, sealed.nonce, sealed.ciphertext) if sealed else None

    async def open_all(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]:
        return list(await asyncio.gather(*(self._open(one) for one in sealed)))

    async def _open(self, sealed: Sealed) -> dict[str, str] | None:
        async with self._slots:
            return await self.sealer.open(
                SealedPersonalData(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
            )

    async def destroy(self, subject_ids: Sequence[str]) -> int:
        return await self.sealer.erase(subject_ids)
