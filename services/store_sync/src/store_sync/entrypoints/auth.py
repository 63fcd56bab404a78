"""Who is calling: a shop with one of its own API keys, or the back office with the admin key.

A shop acts only for itself: its key on another shop's path is a 403, and is logged (the shop
ids, never the key). A missing, unknown, revoked or malformed key is a 401.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, Request
from pydantic import SecretStr

from reloop_shared.http.errors import ApiError
from store_sync.adapters.credentials import Authenticator

log = logging.getLogger(__name__)

AuthorizationHeader = Annotated[str | None, Header(description="`Bearer <API key>`")]
ApiKeyHeader = Annotated[str | None, Header(alias="X-Api-Key", description="The API key, instead of Authorization.")]


def presented_key(authorization: str | None, x_api_key: str | None) -> str | None:
    if x_api_key:
        return x_api_key.strip()
    if authorization and authorization[:7].lower() == "bearer ":
        return authorization[7:].strip() or None
    return None


def _unauthenticated(message: str) -> ApiError:
    return ApiError(401, "Unauthenticated", message, field="Authorization")


class Guards:
    def __init__(self, authenticator: Callable[[], Authenticator], admin_key: SecretStr | None) -> None:
        self._authenticator = authenticator
        self._admin_key = admin_key.get_secret_value().encode() if admin_key else None

    def _is_admin(self, key: str) -> bool:
        return self._admin_key is not None and hmac.compare_digest(key.encode(), self._admin_key)

    async def shop(
        self, shop_id: str, request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None
    ) -> str:
        """The path's shop, when the caller holds one of its keys."""
        return await self._shop(shop_id, request, presented_key(authorization, x_api_key), admin_may_read=False)

    async def shop_or_admin(
        self, shop_id: str, request: Request, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None
    ) -> str:
        """For reads: the shop itself, or the back office."""
        return await self._shop(shop_id, request, presented_key(authorization, x_api_key), admin_may_read=True)

    async def _shop(self, shop_id: str, request: Request, key: str | None, *, admin_may_read: bool) -> str:
        if key is None:
            raise _unauthenticated("send the shop's API key: Authorization: Bearer <key>, or X-Api-Key")
        if admin_may_read and self._is_admin(key):
            return shop_id
        caller = await self._authenticator().shop_of(key)
        if caller is None:
            raise _unauthenticated("unknown, revoked or malformed API key")
        if caller != shop_id:
            log.warning(
                "refused: a shop's key used for another shop",
                extra={"caller_shop": caller, "target_shop": shop_id, "path": request.url.path},
            )
            raise ApiError(
                403, "Forbidden", f"this key is shop {caller}'s; a shop acts only for itself", field="shop_id"
            )
        return shop_id

    async def admin(self, authorization: AuthorizationHeader = None, x_api_key: ApiKeyHeader = None) -> None:
        if self._admin_key is None:
            raise ApiError(503, "AdminDisabled", "the back-office API is off: set STORE_SYNC_ADMIN_API_KEY")
        key = presented_key(authorization, x_api_key)
        if key is None or not self._is_admin(key):
            raise _unauthenticated("the back-office API needs the admin key: Authorization: Bearer <key>")
