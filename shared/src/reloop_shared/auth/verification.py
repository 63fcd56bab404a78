"""Checking a bearer token: signature by a key of the trusted key set, issuer, audience, expiry.

`TokenVerifier` is the port. `JwksVerifier` verifies against a JSON Web Key Set read from a file
(the local keys' public half) or fetched from a URL (any OIDC issuer's `jwks_uri`): configuration
picks which, the code is the same. A token naming a key id the verifier does not know makes it
read the key set again once, so a rotated key is trusted without a restart.

A verified token is remembered (bounded, least recently used first out) until it expires or the
key set is read again: a shopper's browser sends the same token with every request, and checking
its signature each time cost a tenth of a quote's CPU. Only the exact token string is remembered,
so nothing is trusted that was not verified, and a key removed from the set drops every token it
signed at the next read.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
import jwt

from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import Principal


class InvalidToken(Exception):
    """The token does not prove who is calling: the reason says why (never the token)."""


class TokenVerifier(Protocol):
    async def verify(self, token: str, *, audience: str) -> Principal: ...


JwksSource = Callable[[], Awaitable[dict[str, Any]]]
"""Reads the current key set."""


def jwks_from_file(path: Path) -> JwksSource:
    """A key set file: a JWKS document, or the local signing keys (their public half only)."""

    def read() -> dict[str, Any]:
        document: dict[str, Any] = json.loads(path.read_text())
        if any("jwk" in item for item in document.get("keys", [])):
            return LocalKeySet(path).public_jwks()
        return document

    async def read_apart() -> dict[str, Any]:
        return await asyncio.to_thread(read)

    return read_apart


def jwks_from_url(url: str) -> JwksSource:
    async def fetch() -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=5) as client:
            response = await client.get(url)
            response.raise_for_status()
            document: dict[str, Any] = response.json()
            return document

    return fetch


def jwks_verifier(location: str, *, issuer: str) -> JwksVerifier:
    """A verifier of the key set at `location`: `https://...` is fetched from an identity provider
    (a new key id rereads it at most every 5 s), anything else is a file read when needed."""
    if location.startswith(("https://", "http://")):
        return JwksVerifier(jwks_from_url(location), issuer=issuer, unknown_key_reread_s=5.0)
    return JwksVerifier(jwks_from_file(Path(location).expanduser()), issuer=issuer)


class JwksVerifier:
    def __init__(
        self,
        source: JwksSource,
        *,
        issuer: str,
        leeway_s: float = 30,
        refresh_s: float = 300,
        unknown_key_reread_s: float = 0.0,
        remembered: int = 10_000,
    ) -> None:
        """`refresh_s`: how long a read key set is trusted as it is; a key removed from it (a
        retired or a revoked one) stops verifying at the latest that long after.
        `unknown_key_reread_s`: how soon a token naming a key id not in the set may make the set be
        read again; tokens naming made-up keys must not turn into a flood of fetches from an
        identity provider (a local file is cheap to read: 0).
        `remembered`: how many verified tokens are kept (0: verify every time)."""
        self.source = source
        self.unknown_key_reread_s = unknown_key_reread_s
        self.issuer = issuer
        self.leeway_s = leeway_s
        self.refresh_s = refresh_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[tuple[str, str], Principal] = OrderedDict()
        self.remembered = remembered

    def _remembered(self, token: str, audience: str) -> Principal | None:
        principal = self._verified.get((token, audience))
        if principal is None:
            return None
        if time.time() > principal.expires_at.timestamp() + self.leeway_s:
            del self._verified[(token, audience)]
            return None
        self._verified.move_to_end((token, audience))
        return principal

    def _remember(self, token: str, audience: str, principal: Principal) -> None:
        self._verified[(token, audience)] = principal
        while len(self._verified) > self.remembered:
            self._verified.popitem(last=False)

    async def verify(self, token: str, *, audience: str) -> Principal:
        fresh = time.monotonic() - self._read_at <= self.refresh_s
        if fresh and (known := self._remembered(token, audience)) is not None:
            return known
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise InvalidToken("not a token") from error
        kid = header.get("kid")
        if header.get("alg") not in ("EdDSA", "ES256") or not isinstance(kid, str):
            raise InvalidToken("the token names no key, or an algorithm not accepted")
        stale = time.monotonic() - self._read_at > self.refresh_s
        key = None if stale else self._keys.get(kid)
        key = key or await self._reload(kid)
        if key is None:
            raise InvalidToken("signed by a key that is not trusted")
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[key.algorithm_name],  # the trusted key says how it signs, not the token
                audience=audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("the token has expired") from error
        except jwt.InvalidAudienceError as error:
            raise InvalidToken(f"the token is not for {audience}") from error
        except jwt.InvalidTokenError as error:
            raise InvalidToken(f"the token is not valid: {type(error).__name__}") from error
        principal = Principal(
            subject=str(claims["sub"]),
            audience=audience,
            scopes=frozenset(str(claims.get("scope", "")).split()),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            token_id=str(claims.get("jti", "")),
        )
        if self.remembered:
            self._remember(token, audience, principal)
        return principal

    async def _reload(self, kid: str) -> jwt.PyJWK | None:
        async with self._lock:
            age = time.monotonic() - self._read_at
            if age > self.refresh_s or (kid not in self._keys and age >= self.unknown_key_reread_s):
                document = await self.source()
                self._keys = {k["kid"]: jwt.PyJWK(k) for k in document.get("keys", []) if "kid" in k}
                self._read_at = time.monotonic()
                # A key may have left the set: what it signed is verified again, against the new set.
                self._verified.clear()
            return self._keys.get(kid)
