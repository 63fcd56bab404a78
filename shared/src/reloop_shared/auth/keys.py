"""The local signing keys: Ed25519 keys with key ids in one JSON file, the newest signs.

It stands where an identity provider's keys would in production (services then verify against
its published key set instead; see `verification`). Rotation adds a key that signs from then on
and keeps the previous ones, which still verify, until every token they signed has expired; then
they are removed, and their tokens fail.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

MAX_TOKEN_LIFETIME = timedelta(hours=1)
"""The longest a token issued from these keys lives; a retired key is kept this long."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    created_at: datetime
    retire_at: datetime | None = None
    """When set, the key no longer signs, and is removed at this time."""

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "alg": "EdDSA", "use": "sig"}


class LocalKeySet:
    def __init__(self, path: Path) -> None:
        self.path = path

    def held(self) -> list[SigningKey]:
        if not self.path.exists():
            return []
        stored = json.loads(self.path.read_text())
        return [_from_stored(item) for item in stored["keys"]]

    def signing_key(self, now: datetime | None = None) -> SigningKey:
        """The key that signs now: the newest not retired; one is created if there is none."""
        current = [k for k in self.held() if k.retire_at is None]
        if current:
            return max(current, key=lambda k: k.created_at)
        return self.rotate(now)

    def rotate(self, now: datetime | None = None) -> SigningKey:
        """A new key signs from now on; the others verify until their tokens expired, then go."""
        at = now or datetime.now(UTC)
        kept = [k if k.retire_at else _retired(k, at + MAX_TOKEN_LIFETIME) for k in self.prune(at)]
        fresh = SigningKey(f"reloop-{uuid.uuid4().hex[:12]}", Ed25519PrivateKey.generate(), at)
        self._write([*kept, fresh])
        return fresh

    def prune(self, now: datetime | None = None) -> list[SigningKey]:
        """Remove the retired keys whose tokens have all expired; the keys that remain."""
        at = now or datetime.now(UTC)
        kept = [k for k in self.held() if k.retire_at is None or k.retire_at > at]
        self._write(kept)
        return kept

    def public_jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set services verify with: public keys only."""
        return {"keys": [k.public_jwk() for k in self.held()]}

    def _write(self, keys: list[SigningKey]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        # Private keys: readable by their owner only, replaced in one rename.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as out:
            json.dump({"keys": [_to_stored(k) for k in keys]}, out, indent=2)
        temporary.replace(self.path)


def _retired(key: SigningKey, at: datetime) -> SigningKey:
    return SigningKey(key.kid, key.private, key.created_at, at)


def _to_stored(key: SigningKey) -> dict[str, Any]:
    private = json.loads(OKPAlgorithm.to_jwk(key.private))
    return {
        "kid": key.kid,
        "jwk": private,
        "created_at": key.created_at.isoformat(),
        "retire_at": key.retire_at.isoformat() if key.retire_at else None,
    }


def _from_stored(item: dict[str, Any]) -> SigningKey:
    private = OKPAlgorithm.from_jwk(json.dumps(item["jwk"]))
    assert isinstance(private, Ed25519PrivateKey)
    retire_at = datetime.fromisoformat(item["retire_at"]) if item.get("retire_at") else None
    return SigningKey(item["kid"], private, datetime.fromisoformat(item["created_at"]), retire_at)
