"""Sealing personal fields with AES-256-GCM under the data subject's key. (How CRM recognises a
person across channels, from the key store's pepper, is CRM's own rule: `crm.domain.matching`.)"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic_core import from_json

from reloop_contracts.common import SealedPersonalData
from reloop_shared.personal_data.keys import KeyStore


class PersonalDataSealer:
    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    async def seal(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData:
        key = await self.keys.key_for(subject_id, create=True)
        if key is None:
            raise PermissionError(f"subject {subject_id} was erased; their data can no longer be captured")
        nonce = os.urandom(12)
        plaintext = json.dumps(fields, sort_keys=True).encode()
        # The subject id is authenticated with the data: a sealed blob cannot be passed off as another's.
        ciphertext = AESGCM(key).encrypt(nonce, plaintext, subject_id.encode())
        return SealedPersonalData(
            key_id=subject_id,
            nonce=base64.b64encode(nonce).decode(),
            ciphertext=base64.b64encode(ciphertext).decode(),
        )

    async def seal_unless_erased(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData | None:
        """As `seal`, or None when the subject was erased meanwhile: what they gave is not kept."""
        try:
            return await self.seal(subject_id, fields)
        except PermissionError:
            return None

    async def erase(self, subject_ids: Sequence[str]) -> int:
        """Destroy these subjects' keys: every copy sealed under them, wherever it is, becomes
        unreadable. Returns how many keys were destroyed now."""
        destroyed = 0
        for subject_id in subject_ids:
            destroyed += await self.keys.destroy(subject_id)
        return destroyed

    async def open(self, sealed: SealedPersonalData) -> dict[str, str] | None:
        """The fields, or None when the subject's key was destroyed (erased)."""
        return open_with_key(await self.keys.key_for(sealed.key_id, create=False), sealed)


def open_with_key(key: bytes | None, sealed: SealedPersonalData) -> dict[str, str] | None:
    """The fields sealed under `key` (the subject's, already looked up), or None without a key.
    Raises InvalidTag when the data was tampered with or sealed under another subject's key."""
    if key is None:
        return None
    plaintext = AESGCM(key).decrypt(
        base64.b64decode(sealed.nonce), base64.b64decode(sealed.ciphertext), sealed.key_id.encode()
    )
    opened: dict[str, str] = from_json(plaintext)  # pydantic's core parser: twice json's speed
    return opened
