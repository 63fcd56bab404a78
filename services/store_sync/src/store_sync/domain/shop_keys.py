"""Shop API keys: random, shown once, kept only as a SHA-256 digest.

A key reads `rsk_<key id>_<secret>`. The key id finds its row (never the secret), and the digest
of the whole key is what is compared, so a lookup tells an attacker nothing about a guess.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

PREFIX = "rsk"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    api_key: str


def new_key() -> tuple[IssuedKey, bytes]:
    """A new key and the digest to keep of it."""
    key_id = secrets.token_hex(8)
    api_key = f"{PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return IssuedKey(key_id, api_key), digest(api_key)


def digest(api_key: str) -> bytes:
    return hashlib.sha256(api_key.encode()).digest()


def key_id_of(api_key: str) -> str | None:
    parts = api_key.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1]:
        return None
    return parts[1]
