"""Lists a caller pages through: at most `MAX_LIMIT` items a page, the next page named by an opaque
cursor.

Keyset pagination, not offsets: a cursor holds the sort key of the last item served, so the next
page starts right after it however many rows were added or removed meanwhile, and reading page
10,000 costs what reading page 1 does. The cursor is opaque to callers (base64 of the key, with a
version) so a route may change its sort key without breaking a client that only passes it back.
It is not a secret: a cursor only moves a position inside what the caller may list anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from reloop_shared.http.errors import ApiError

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
_VERSION = 1

_BIGINT = 2**63
T = TypeVar("T")
Key = tuple[str | int | datetime | None, ...]
"""A sort key: what the last item of a page is ordered by, tie-broken by its id. A timestamp
travels in the cursor as ISO text and comes back a `datetime` when the route names its shape."""
KeyPart = type[str] | type[int] | type[datetime]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    next_cursor: str | None = Field(
        description="Pass it back as `cursor` for the next page; null on the last page.",
    )


@dataclass(frozen=True)
class PageRequest:
    limit: int
    after: Key | None
    """The sort key of the last item already served; None for the first page."""

    def shaped(self, *shape: KeyPart) -> PageRequest:
        """This request with its key checked against the list's sort key, part by part, so a cursor
        made by hand or given out by another list is a 422 naming `cursor`, not a query's 500."""
        if self.after is None:
            return self
        if len(self.after) != len(shape):
            raise _not_a_cursor()
        return replace(self, after=tuple(_part(value, kind) for value, kind in zip(self.after, shape, strict=True)))


def encode_cursor(key: Key) -> str:
    parts = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    raw = json.dumps([_VERSION, parts], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> Key:
    try:
        version, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as error:
        raise _not_a_cursor() from error
    if type(version) is not int or version != _VERSION or not isinstance(key, list):
        raise _not_a_cursor()
    if not all(_scalar(v) for v in key):
        raise _not_a_cursor()
    return tuple(key)


def page_request(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items a page, at most {MAX_LIMIT}.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="The `next_cursor` of the page before; none for the first.")
    ] = None,
) -> PageRequest:
    """The dependency a list route takes: `limit` and `cursor` from the query string."""
    return PageRequest(limit, decode_cursor(cursor) if cursor else None)


def keyed_by(*shape: KeyPart) -> Callable[[PageRequest], PageRequest]:
    """The dependency of a list sorted by a key of this shape: `page_request`, its cursor checked.

    `page: Annotated[PageRequest, Depends(keyed_by(datetime, str))]` for a list newest first by
    (received_at, unit_id)."""

    def dependency(request: Annotated[PageRequest, Depends(page_request)]) -> PageRequest:
        return request.shaped(*shape)

    return dependency


def page_of(found: Sequence[T], request: PageRequest, key: Callable[[T], Key]) -> tuple[list[T], str | None]:
    """Cut what a query found into a page and the cursor of the next one.

    The query asks for `request.limit + 1` rows after `request.after`: a row beyond the limit is
    how the last page is told from a full one without counting."""
    items = list(found[: request.limit])
    more = len(found) > request.limit
    return items, encode_cursor(key(items[-1])) if more and items else None


def _scalar(value: object) -> bool:
    """A value a query can take as a parameter: text PostgreSQL can store (no NUL, no lone
    surrogate), an integer a BIGINT holds, or null."""
    if isinstance(value, str):
        return "\x00" not in value and _encodable(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return -_BIGINT <= value < _BIGINT
    return value is None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _part(value: str | int | datetime | None, kind: KeyPart) -> str | int | datetime:
    if kind is datetime and isinstance(value, str):
        try:
            at = datetime.fromisoformat(value)
        except ValueError:
            raise _not_a_cursor() from None
        if at.tzinfo is None:
            raise _not_a_cursor()
        return at
    if isinstance(value, kind) and not isinstance(value, bool | datetime):
        return value
    raise _not_a_cursor()


def _not_a_cursor() -> ApiError:
    return ApiError(422, "invalid_request", "cursor is not one this list gave out", field="cursor")
