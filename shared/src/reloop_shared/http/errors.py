"""Clear 4xx answers: which field is wrong and why, in one shape across services.

The one place where a refusal becomes a response: a domain error's kind picks the status from
`STATUS_OF_KIND`, so routes call their handler and let refusals through, never re-wrapping them.
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka.errors import KafkaError
from asyncpg.exceptions import DataError, InterfaceError, InternalClientError, PostgresError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from reloop_contracts.amounts import InvalidMoney
from reloop_shared.errors import DomainError, ErrorKind
from reloop_shared.failures import is_transient

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2

STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.RULE_BROKEN: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UPSTREAM: 502,
}


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class ErrorBody(BaseModel):
    """The one shape of every refusal, whatever the status."""

    error: str
    message: str
    field: str | None = None
    fields: list[FieldError] = []


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "The request cannot be read.",
        401: "No credentials, or credentials that are not valid.",
        403: "Valid credentials without the right to do this.",
        404: "What the request names does not exist.",
        409: "The request is fine in itself but not in the current state.",
        413: "The body is larger than this route accepts.",
        422: "A field is wrong: `field` names it.",
        503: "The database or the broker is unavailable for a moment (a restart, a failover): nothing was"
        " done; retry after `Retry-After` seconds.",
    }.items()
}
"""Declared on every route of a service, so a client generated from the OpenAPI document can
handle every refusal."""


_FRAMEWORK_CODES = {404: "NotFound", 405: "MethodNotAllowed", 413: "TooLarge", 415: "UnsupportedMediaType"}


class ApiError(Exception):
    """Raised by the edge itself (authentication, limits) to answer with a status, a stable code and,
    when known, the field at fault. Routes raise domain errors instead."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers
        self.extra = extra


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": _field_path(item["loc"]), "message": item["msg"], "type": item["type"]} for item in error.errors()
        ]
        first = fields[0]["field"] if fields else None
        return JSONResponse(
            status_code=422,
            content={
                "error": "invalid_request",
                "message": f"invalid field: {first}",
                "field": first,
                "fields": fields,
            },
        )

    @app.exception_handler(HTTPException)
    async def refused_by_the_framework(_: Request, error: HTTPException) -> JSONResponse:
        # The framework's own refusals (no such route, a body over the limit) in the one shape.
        code = _FRAMEWORK_CODES.get(error.status_code, "http_error")
        return JSONResponse(
            status_code=error.status_code,
            content={"error": code, "message": str(error.detail)},
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return answer(error)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return answer(as_api_error(error))

    @app.exception_handler(DataError)
    async def unstorable(_: Request, error: DataError) -> JSONResponse:
        # The last line of defence: a value the schema let through but the column cannot hold (a
        # number out of range, text in an encoding it cannot take) is the caller's fault, not a 500.
        return answer(ApiError(422, "invalid_request", f"a value cannot be stored: {type(error).__name__}"))

    for kind in (PostgresError, InterfaceError, InternalClientError, KafkaError, OSError):
        app.add_exception_handler(kind, unavailable_or_failed)

    @app.exception_handler(InvalidMoney)
    async def invalid_money(_: Request, error: InvalidMoney) -> JSONResponse:
        return answer(ApiError(422, type(error).__name__, str(error), field=error.field))


async def unavailable_or_failed(_: Request, error: Exception) -> JSONResponse:
    """A database or broker that is away for a moment (`reloop_shared.failures`) is a 503 with
    `Retry-After`, not a 500: the request's transaction did not commit, so the caller may safely
    try again. Anything else from the same libraries is the server's fault: a 500, logged."""
    if is_transient(error):
        log.warning("answered 503: infrastructure unavailable", extra={"error": repr(error)})
        return answer(
            ApiError(
                503,
                "Unavailable",
                "the service's database or broker is unavailable for a moment; nothing was done, try again",
                headers={"Retry-After": str(RETRY_AFTER_S)},
            )
        )
    log.error("unhandled error", exc_info=error)
    return JSONResponse(status_code=500, content={"error": "InternalError", "message": "internal server error"})


def as_api_error(error: DomainError) -> ApiError:
    """The answer to a domain refusal: the status its kind maps to, its code, its field."""
    return ApiError(STATUS_OF_KIND[error.kind], error.code, str(error), field=error.field)


def answer(error: ApiError) -> JSONResponse:
    """The response of a refusal, in the one error shape."""
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
        body["fields"] = [{"field": error.field, "message": error.message, "type": error.code}]
    body.update(error.extra)
    return JSONResponse(status_code=error.status, content=body, headers=error.headers)
