"""422s that name a batch's field plainly: `transactions.3.total`, not `transactions.3.sale.total`."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from store_sync.entrypoints.http.transaction_schemas import TAGS


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
