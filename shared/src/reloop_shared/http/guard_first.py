"""A caller the route would refuse hears that first.

FastAPI reads and parses a request's body before it runs the route's dependencies, the guard among
them, so a caller without credentials who sends a body that cannot be read (not JSON, not UTF-8,
too large, text no database can store) would be told about the body (400, 413, 422) rather than
that it may not call the route at all. Before such an answer the edge asks the route's guard;
if the guard refuses, its 401 or 403 is the answer. Only then: a request that is fine pays for
no second check.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import solve_dependencies
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from reloop_shared.http.authentication import guard_kind
from reloop_shared.http.errors import ApiError

_BODY_UNREADABLE = {"json_invalid", "string_unstorable"}
"""Validation errors raised before the guard runs: the body could not be read at all."""
_BODY_REFUSED = {400, 413}
"""The framework's refusals of a body it could not parse or would not read to the end."""

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def answer_the_guard_first(app: FastAPI) -> None:
    """Wraps the edge's answers to an unreadable body (installed by `install_error_handlers`) so
    the route's guard is asked before them."""
    answer_refusal: Handler = app.exception_handlers[ApiError]
    for kind in (RequestValidationError, HTTPException):
        app.add_exception_handler(kind, _guard_first(app.exception_handlers[kind], answer_refusal))


def _guard_first(answer: Handler, answer_refusal: Handler) -> Handler:
    async def guarded(request: Request, error: Exception) -> Response:
        if _about_the_body(error) and (refusal := await refusal_by_the_guard(request)) is not None:
            return await _awaited(answer_refusal(request, refusal))
        return await _awaited(answer(request, error))

    return guarded


async def _awaited(response: Response | Awaitable[Response]) -> Response:
    return await response if inspect.isawaitable(response) else response


def _about_the_body(error: Exception) -> bool:
    if isinstance(error, RequestValidationError):
        return any(item.get("type") in _BODY_UNREADABLE for item in error.errors())
    return isinstance(error, HTTPException) and error.status_code in _BODY_REFUSED


async def refusal_by_the_guard(request: Request) -> ApiError | None:
    """The 401 or 403 the route's guard gives this caller, None when it lets them in (or the
    request matched no route, or the route is public)."""
    route_dependant = getattr(request.scope.get("route"), "dependant", None)
    if not isinstance(route_dependant, Dependant):
        return None
    guarding = [d for d in route_dependant.dependencies if guard_kind(d.call) not in (None, "public")]
    if not guarding:
        return None
    # The route's own exit stacks are closed by now; the guard runs in stacks of its own.
    async with AsyncExitStack() as inner, AsyncExitStack() as function:
        caller = Request({**request.scope, "fastapi_inner_astack": inner, "fastapi_function_astack": function})
        try:
            await solve_dependencies(
                request=caller,
                dependant=Dependant(dependencies=guarding),
                async_exit_stack=inner,
                embed_body_fields=False,
            )
        except ApiError as refusal:
            return refusal
    return None
