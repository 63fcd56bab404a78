"""Issuing tokens from the local signing keys (`reloop token issue`, the demo, tests)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import jwt

from reloop_shared.auth.keys import MAX_TOKEN_LIFETIME, LocalKeySet

LOCAL_ISSUER = "reloop-local"


def issue_token(
    keys: LocalKeySet,
    *,
    subject: str,
    audience: str,
    scopes: Iterable[str] = (),
    ttl: timedelta = MAX_TOKEN_LIFETIME,
    issuer: str = LOCAL_ISSUER,
    now: datetime | None = None,
) -> str:
    if not timedelta(0) < ttl <= MAX_TOKEN_LIFETIME:
        raise ValueError(f"a token lives at most {MAX_TOKEN_LIFETIME}")
    at = now or datetime.now(UTC)
    key = keys.signing_key(at)
    claims = {
        "iss": issuer,
        "sub": subject,
        "aud": audience,
        "scope": " ".join(sorted(set(scopes))),
        "iat": int(at.timestamp()),
        "exp": int((at + ttl).timestamp()),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, key.private, algorithm="EdDSA", headers={"kid": key.kid})
