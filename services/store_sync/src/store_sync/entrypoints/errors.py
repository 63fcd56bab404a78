"""Domain errors as HTTP answers, and 422s that name a batch's field plainly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from reloop_shared.http.errors import ApiError
from store_sync.domain.errors import Conflict, Invalid, NotFound, StoreSyncError
from store_sync.entrypoints.schemas import TAGS

T = TypeVar("T")


def _status(error: StoreSyncError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, Invalid):
        return 422
    return 400


async def answer(work: Awaitable[T]) -> T:
    try:
        return await work
    except StoreSyncError as error:
        raise ApiError(_status(error), type(error).__name__, str(error), field=error.field) from error


def _plain(error: dict[str, Any]) -> dict[str, Any]:
    """`transactions.3.sale.total` -> `transactions.3.total`: the union's tag is not a field; a
    missing or unknown tag is the `type` field's fault."""
    loc = list(error.get("loc", ()))
    for i in range(len(loc) - 1):
        if isinstance(loc[i], int) and loc[i + 1] in TAGS:
            del loc[i + 1]
            break
    if error.get("type") in ("union_tag_invalid", "union_tag_not_found"):
        loc.append("type")
    return {**error, "loc": tuple(loc)}


class PlainFieldRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                raise RequestValidationError([_plain(e) for e in error.errors()], body=error.body) from None

        return handle
