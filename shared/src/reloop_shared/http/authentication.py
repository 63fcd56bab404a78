"""Authentication at the HTTP edge: who may call a route, declared on the route.

A guarded route depends on `requires(scope, ...)` (staff) or `customer()` (a customer's own
token); a route anyone may call is declared with `public()`. The edge's verifier is set once on
the app (`install_verifier`). `unguarded_routes(app)` lists every route that is neither, so an
app that would leave a door open can be refused at start and caught by a test.

Answers: no or a malformed credential, an expired token, one signed by an unknown key or for
another audience: 401 naming `Authorization`. A valid token without the scope: 403 naming the
scope that was missing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.routing import iter_route_contexts
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reloop_shared.auth.principal import STAFF, STOREFRONT, Principal
from reloop_shared.auth.verification import InvalidToken, TokenVerifier
from reloop_shared.http.errors import ApiError

_bearer = HTTPBearer(
    scheme_name="BearerJWT",
    bearerFormat="JWT",
    auto_error=False,
    description="A signed token (JWT, EdDSA) from reloop's issuer: a staff token with the route's scopes, "
    "or on a customer's routes that customer's own token (audience `storefront`).",
)
_GUARD = "reloop_guard"


def install_verifier(app: FastAPI, verifier: TokenVerifier) -> None:
    app.state.token_verifier = verifier


def unauthenticated(message: str) -> ApiError:
    """The 401 of every guard: who is calling cannot be told."""
    return ApiError(401, "Unauthenticated", message, field="Authorization", headers={"WWW-Authenticate": "Bearer"})


async def _principal(request: Request, credentials: HTTPAuthorizationCredentials | None, audience: str) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("a bearer token is needed")
    verifier: TokenVerifier | None = getattr(request.app.state, "token_verifier", None)
    if verifier is None:
        raise unauthenticated("this edge trusts no token issuer")
    try:
        return await verifier.verify(credentials.credentials, audience=audience)
    except InvalidToken as error:
        raise unauthenticated(str(error)) from error


def guard(dependency: Callable[..., Awaitable[Any]], kind: str) -> Any:
    """`dependency` as a route guard of `kind` ("public", "customer", "scopes:...", or a service's
    own, such as a shop's key): `guards(app)` lists it, so the edge counts the route as guarded."""
    setattr(dependency, _GUARD, kind)
    return Depends(dependency)


def guard_kind(call: object) -> str | None:
    """The kind of guard `call` was declared as (`guard(...)`), None when it is no guard."""
    kind = getattr(call, _GUARD, None)
    return None if kind is None else str(kind)


async def staff_holding(request: Request, credentials: HTTPAuthorizationCredentials | None, *scopes: str) -> Principal:
    """The staff member `credentials` prove, holding every one of `scopes`: 401 or 403 otherwise.
    For a service's own guard that also takes staff (a shop's reads: its key, or the back office)."""
    principal = await _principal(request, credentials, STAFF)
    for scope in scopes:
        if not principal.may(scope):
            raise ApiError(403, "Forbidden", f"this needs the scope {scope}", field="scope", scope=scope)
    return principal


def requires(*scopes: str) -> Any:
    """A staff token holding every one of `scopes`."""

    async def staff(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Principal:
        return await staff_holding(request, credentials, *scopes)

    return guard(staff, "scopes:" + " ".join(scopes))


def customer() -> Any:
    """A customer's own token (audience `storefront`); the principal's subject is the customer id."""

    async def the_customer(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        return await _principal(request, credentials, STOREFRONT)

    return guard(the_customer, "customer")


def customer_or_staff(*scopes: str) -> Any:
    """A customer's own token, or a staff token holding every one of `scopes`: for what both its
    owner and the back office read (whether it is the customer's own is the route's business). A
    staff token without the scope stays a 403; a token for neither audience a 401."""

    async def either(
        request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
    ) -> Principal:
        try:
            return await staff_holding(request, credentials, *scopes)
        except ApiError as refused:
            if refused.status != 401 or credentials is None:
                raise
        return await _principal(request, credentials, STOREFRONT)

    return guard(either, "customer-or-scopes:" + " ".join(scopes))


def public() -> Any:
    """Anyone may call this route (health, catalogue browsing): said out loud, never by omission."""

    async def anyone() -> None:
        return None

    return guard(anyone, "public")


def guards(app: FastAPI) -> dict[str, str | None]:
    """Each API route of the app ("GET /path") and how it is guarded ("public", "customer",
    "scopes:..."), None when it is not. Dependencies declared where a router is included count.
    The framework's own routes (the OpenAPI document and its pages) are not API routes."""
    found: dict[str, str | None] = {}
    for context in iter_route_contexts(app.routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None:
            continue
        kinds = [guard_kind(d.call) for d in dependant.dependencies]
        guard = next((str(kind) for kind in kinds if kind is not None), None)
        for method in sorted(context.methods or ()):
            found[f"{method} {context.path}"] = guard
    return found


def unguarded_routes(app: FastAPI) -> list[str]:
    """Every API route of the app that is neither declared public nor guarded."""
    return [route for route, guard in guards(app).items() if guard is None]
