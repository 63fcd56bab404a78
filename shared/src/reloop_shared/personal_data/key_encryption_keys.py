"""Key-encryption keys: the data keys and the pepper are stored wrapped under them (envelope
encryption), so a dump of the key store's database alone opens nothing.

`KeyEncryptionKeys` is the port. `LocalKeyEncryptionKeys` keeps AES-256 keys with ids in one JSON
file readable by its owner only, the way `reloop_shared.auth.keys.LocalKeySet` keeps the signing
keys: the newest key wraps, older ones only unwrap until `reloop keys rotate-kek` has re-wrapped
every row and removed them. In production a KMS (or a secret mounted from one) stands behind the
same port: the file then lives where the KMS puts it, never beside the database.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_NONCE = 12


class UnknownKeyEncryptionKey(LookupError):
    """A row names a key-encryption key that is not held: retired, or from another environment."""


class KeyEncryptionKeys(Protocol):
    def current_id(self) -> str:
        """The id of the key that wraps from now on."""
        ...

    def wrap(self, plain: bytes, *, bound_to: str) -> tuple[str, bytes]:
        """`plain` wrapped under the current key; `bound_to` (the row it is stored in) is
        authenticated with it, so the wrapped key cannot be moved to another row."""
        ...

    def unwrap(self, kek_id: str, wrapped: bytes, *, bound_to: str) -> bytes:
        """The plain key; InvalidTag when it was moved or tampered with, UnknownKeyEncryptionKey
        when `kek_id` is not held."""
        ...


@dataclass(frozen=True)
class KeyEncryptionKey:
    kid: str
    secret: bytes
    created_at: datetime


class LocalKeyEncryptionKeys:
    """AES-256-GCM keys in an owner-only JSON file. Read once and kept in memory: the file is read
    again when a row names a key not held yet, or before wrapping when it changed on disk (another
    process rotated), so nothing new is wrapped under a key a rotation is retiring."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._held: dict[str, KeyEncryptionKey] = {}
        self._read: tuple[int, int, int] | None = None  # the file's inode, mtime and size when read

    def held(self) -> list[KeyEncryptionKey]:
        """The keys, oldest first: the last one wraps."""
        self._refresh()
        return list(self._held.values())

    def current_id(self) -> str:
        return self._current().kid

    def wrap(self, plain: bytes, *, bound_to: str) -> tuple[str, bytes]:
        key = self._current()
        nonce = os.urandom(_NONCE)
        return key.kid, nonce + AESGCM(key.secret).encrypt(nonce, plain, bound_to.encode())

    def unwrap(self, kek_id: str, wrapped: bytes, *, bound_to: str) -> bytes:
        key = self._held.get(kek_id)
        if key is None:
            self._refresh(force=True)
            key = self._held.get(kek_id)
        if key is None:
            raise UnknownKeyEncryptionKey(
                f"key-encryption key {kek_id!r} is not in {self.path}: retired, or from another environment"
            )
        return AESGCM(key.secret).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], bound_to.encode())

    def rotate(self, now: datetime | None = None) -> KeyEncryptionKey:
        """A new key wraps from now on; the others still unwrap until `retire` removes them."""
        fresh = _new_key(now)
        self._write([*self.held(), fresh])
        return fresh

    def retire(self, in_use: set[str]) -> list[str]:
        """Remove the keys no stored row is wrapped under (never the current one); their ids."""
        current = self.current_id()
        kept = [k for k in self.held() if k.kid in in_use or k.kid == current]
        retired = [k.kid for k in self.held() if k not in kept]
        if retired:
            self._write(kept)
        return retired

    def _current(self) -> KeyEncryptionKey:
        held = self.held()
        if held:
            return held[-1]
        self._create_first()
        return self.held()[-1]

    def _refresh(self, force: bool = False) -> None:
        try:
            found = self.path.stat()
        except FileNotFoundError:
            self._held, self._read = {}, None
            return
        # Every write is a new file renamed into place: a new inode, even within one clock tick.
        version = (found.st_ino, found.st_mtime_ns, found.st_size)
        if force or version != self._read:
            stored = json.loads(self.path.read_text())
            self._held = {item["kid"]: _from_stored(item) for item in stored["keys"]}
            self._read = version

    def _create_first(self) -> None:
        # Services of one stack may start at once on a missing file: the first link wins and the
        # others read its key, so no row is ever wrapped under a key that was then overwritten.
        temporary = self._write_temporary([_new_key()])
        try:
            os.link(temporary, self.path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()

    def _write(self, keys: list[KeyEncryptionKey]) -> None:
        self._write_temporary(keys).replace(self.path)
        self._refresh(force=True)

    def _write_temporary(self, keys: list[KeyEncryptionKey]) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:8]}.tmp")
        # Secret keys: readable by their owner only, and never seen half written.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump({"keys": [_to_stored(k) for k in keys]}, out, indent=2)
        return temporary


def local_key_encryption_keys(setting: str) -> LocalKeyEncryptionKeys:
    """The keys in the file a setting (`RELOOP_KEY_ENCRYPTION_KEYS`) names, `~` expanded."""
    return LocalKeyEncryptionKeys(Path(setting).expanduser())


def _new_key(now: datetime | None = None) -> KeyEncryptionKey:
    return KeyEncryptionKey(f"kek-{uuid.uuid4().hex[:12]}", AESGCM.generate_key(256), now or datetime.now(UTC))


def _to_stored(key: KeyEncryptionKey) -> dict[str, Any]:
    return {
        "kid": key.kid,
        "key": base64.b64encode(key.secret).decode(),
        "created_at": key.created_at.isoformat(),
    }


def _from_stored(item: dict[str, Any]) -> KeyEncryptionKey:
    return KeyEncryptionKey(item["kid"], base64.b64decode(item["key"]), datetime.fromisoformat(item["created_at"]))
