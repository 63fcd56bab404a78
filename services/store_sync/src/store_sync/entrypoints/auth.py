"""Who is calling: a shop with one of its own API keys, or the back office with a staff token.

A shop acts only for itself: its key on another shop's path is a 403, and is logged (the shop
ids, never the key). A missing, unknown, revoked or malformed key is a 401.

The back office is staff holding the scope `store-sync:admin`, checked by the shared guard
(`reloop_shared.http.authentication.requires`): no token or a bad one is a 401, a token without
the scope a 403 naming it. A shop's key never opens a back-office route, and a staff token never
records a shop's transactions.

Each guard is declared with the shared `guard(...)`, so `guards(app)` lists it and the edge, deny
by default, builds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request, params
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from reloop_shared.http.authentication import guard, requires, staff_holding, unauthenticated
from reloop_shared.http.errors import ApiError
from store_sync.adapters.credentials import Authenticator
from store_sync.domain.shop_keys import key_id_of

log = logging.getLogger(__name__)

ADMIN_SCOPE = "store-sync:admin"
SHOP_KEY = "shop-key"
SHOP_KEY_OR_ADMIN = f"shop-key-or-scopes:{ADMIN_SCOPE}"
_SHOP_KEY_NEEDED = "send the shop's API key: Authorization: Bearer <key>, or X-Api-Key"
_SHOP_KEY_OR_TOKEN_NEEDED = (
    "send the shop's API key (Authorization: Bearer <key>, or X-Api-Key), or a staff token (Authorization: Bearer)"
)

# Declared as security schemes, so the OpenAPI document says how a shop authenticates and a
# generated client sends its key (never as an optional header parameter among the others).
_shop_bearer = HTTPBearer(
    scheme_name="ShopKeyBearer",
    auto_error=False,
    description="`Authorization: Bearer rsk_...`: one of the shop's API keys. On a shop's reads, a staff "
    "token (JWT) with `store-sync:admin` is accepted instead.",
)
_shop_api_key = APIKeyHeader(
    name="X-Api-Key",
    scheme_name="ShopApiKey",
    auto_error=False,
    description="One of the shop's API keys (`rsk_...`), instead of Authorization.",
)
AuthorizationHeader = Annotated[HTTPAuthorizationCredentials | None, Depends(_shop_bearer)]
ApiKeyHeader = Annotated[str | None, Depends(_shop_api_key)]


def presented_key(authorization: HTTPAuthorizationCredentials | str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if isinstance(authorization, HTTPAuthorizationCredentials):
        return authorization.credentials.strip() or None
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


class Guards:
    """The route dependencies of store-sync's edge: `shop` (the path's shop, with one of its keys),
    `shop_or_admin` (that, or the back office) and `admin` (the back office)."""

    def __init__(self, authenticator: Callable[[], Authenticator]) -> None:
        self._authenticator = authenticator
        self.admin: params.Depends = requires(ADMIN_SCOPE)

        async def shop(
            shop_id: str, request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None
        ) -> str:
            """The path's shop, when the caller holds one of its keys."""
            key = presented_key(authorization, x_api_key)
            return await self._shop(shop_id, request, key, _SHOP_KEY_NEEDED)

        async def shop_or_admin(
            shop_id: str, request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None
        ) -> str:
            """For reads: the shop itself, or the back office. A bearer that is not a shop key
            (`rsk_...`) is taken for a staff token and checked by the shared staff guard."""
            key = presented_key(authorization, x_api_key)
            if key is not None and not x_api_key and key_id_of(key) is None:
                await staff_holding(
                    request, HTTPAuthorizationCredentials(scheme="Bearer", credentials=key), ADMIN_SCOPE
                )
                return shop_id
            return await self._shop(shop_id, request, key, _SHOP_KEY_OR_TOKEN_NEEDED)

        self.shop: params.Depends = guard(shop, SHOP_KEY)
        self.shop_or_admin: params.Depends = guard(shop_or_admin, SHOP_KEY_OR_ADMIN)

    async def _shop(self, shop_id: str, request: Request, key: str | None, missing: str) -> str:
        if key is None:
            raise unauthenticated(missing)
        # Not shaped like a shop key (a staff token, say): refused without asking the key store.
        caller = await self._authenticator().shop_of(key) if key_id_of(key) is not None else None
        if caller is None:
            raise unauthenticated("unknown, revoked or malformed API key")
        if caller != shop_id:
            log.warning(
                "refused: a shop's key used for another shop",
                extra={"caller_shop": caller, "target_shop": shop_id, "path": request.url.path},
            )
            raise ApiError(
                403, "Forbidden", f"this key is shop {caller}'s; a shop acts only for itself", field="shop_id"
            )
        return shop_id
