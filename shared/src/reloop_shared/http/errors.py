"""Clear 4xx answers: which field is wrong and why, in one shape across services.

The one place where a refusal becomes a response: a domain error's kind picks the status from
`STATUS_OF_KIND`, so routes call their handler and let refusals through, never re-wrapping them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from reloop_contracts.amounts import InvalidMoney
from reloop_shared.errors import DomainError, ErrorKind

STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.RULE_BROKEN: 422,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UPSTREAM: 502,
}


class ApiError(Exception):
    """Raised by the edge itself (authentication, limits) to answer with a status, a stable code and,
    when known, the field at fault. Routes raise domain errors instead."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
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
            content={"error": "invalid_request", "message": f"invalid field: {first}", "fields": fields},
        )

    @app.exception_handler(ApiError)
    async def api_error(_: Request, error: ApiError) -> JSONResponse:
        return _answer(error)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, error: DomainError) -> JSONResponse:
        return _answer(as_api_error(error))

    @app.exception_handler(InvalidMoney)
    async def invalid_money(_: Request, error: InvalidMoney) -> JSONResponse:
        return _answer(ApiError(422, type(error).__name__, str(error), field=error.field))


def as_api_error(error: DomainError) -> ApiError:
    """The answer to a domain refusal: the status its kind maps to, its code, its field."""
    return ApiError(STATUS_OF_KIND[error.kind], error.code, str(error), field=error.field)


def _answer(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"error": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
        body["fields"] = [{"field": error.field, "message": error.message, "type": error.code}]
    body.update(error.extra)
    return JSONResponse(status_code=error.status, content=body)
