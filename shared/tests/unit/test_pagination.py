"""Lists paged by an opaque cursor: a cursor brings back the key it was made of, the last page has
none, and a cursor or limit a list never gave out is a 422 naming it, through a real edge."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import public
from reloop_shared.http.pagination import (
    MAX_LIMIT,
    Page,
    PageRequest,
    decode_cursor,
    encode_cursor,
    keyed_by,
    page_of,
    page_request,
)

NAMES = [f"unit-{n:03}" for n in range(7)]


def edge() -> httpx.AsyncClient:
    """A list of names sorted by name, and a list of arrivals keyed by (time, id)."""
    router = APIRouter(dependencies=[public()])

    @router.get("/names")
    async def names(page: Annotated[PageRequest, Depends(page_request)]) -> Page[str]:
        after = page.after[0] if page.after else ""
        found = [n for n in NAMES if isinstance(after, str) and n > after][: page.limit + 1]
        items, cursor = page_of(found, page, lambda name: (name,))
        return Page(items=items, next_cursor=cursor)

    @router.get("/arrivals")
    async def arrivals(page: Annotated[PageRequest, Depends(keyed_by(datetime, str))]) -> dict[str, str | None]:
        return {"after": repr(page.after)}

    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_edge(title="pages", routers=[router])), base_url="http://edge"
    )


def _raw_cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def test_a_cursor_brings_back_the_key_it_was_made_of() -> None:
    key = ("2026-12-05T10:00:00+00:00", 42, None, "U-ÉTÉ-1")
    assert decode_cursor(encode_cursor(key)) == key


def test_a_timestamp_in_a_key_travels_as_iso_text_and_comes_back_a_datetime_when_the_list_says_so() -> None:
    at = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    cursor = encode_cursor((at, "U-1"))
    assert decode_cursor(cursor) == (at.isoformat(), "U-1")
    assert PageRequest(10, decode_cursor(cursor)).shaped(datetime, str).after == (at, "U-1")


async def test_walking_the_cursors_serves_every_item_once_and_the_last_page_has_no_cursor() -> None:
    served: list[str] = []
    cursors: list[str | None] = []
    async with edge() as client:
        params: dict[str, str | int] = {"limit": 3}
        while True:
            page = (await client.get("/names", params=params)).json()
            served += page["items"]
            cursors.append(page["next_cursor"])
            if page["next_cursor"] is None:
                break
            params = {"limit": 3, "cursor": page["next_cursor"]}
    assert served == NAMES
    assert len(cursors) == 3
    assert cursors[-1] is None


async def test_a_list_that_fits_in_one_page_has_no_cursor() -> None:
    async with edge() as client:
        page = (await client.get("/names", params={"limit": len(NAMES)})).json()
    assert page == {"items": NAMES, "next_cursor": None}


async def test_the_default_page_is_a_hundred_items_at_most() -> None:
    assert page_request() == PageRequest(100, None)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        _raw_cursor([2, ["unit-001"]]),
        _raw_cursor([True, ["unit-001"]]),
        _raw_cursor({"version": 1, "key": ["unit-001"]}),
        _raw_cursor([1, "unit-001"]),
        _raw_cursor([1, [1.5]]),
        _raw_cursor([1, [["nested"]]]),
        _raw_cursor([1, ["nul\u0000"]]),
        _raw_cursor([1, ["\ud800 alone"]]),
        _raw_cursor([1, [2**63]]),
        encode_cursor(("unit-001",))[:-2] + "!!",
    ],
    ids=[
        "garbage",
        "not-base64",
        "another-version",
        "a-boolean-version",
        "an-object",
        "a-key-not-a-list",
        "a-float",
        "a-nested-list",
        "a-nul",
        "a-lone-surrogate",
        "beyond-bigint",
        "tampered",
    ],
)
async def test_a_cursor_the_list_never_gave_out_is_a_422_naming_cursor(cursor: str) -> None:
    async with edge() as client:
        response = await client.get("/names", params={"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


@pytest.mark.parametrize(
    "key",
    [("U-1",), ("2026-12-05T10:00:00+00:00", 7), ("yesterday", "U-1"), ("2026-12-05T10:00:00", "U-1")],
    ids=["too-short", "an-int-for-an-id", "not-a-timestamp", "a-timestamp-without-zone"],
)
async def test_a_cursor_of_another_lists_shape_is_a_422_naming_cursor(key: tuple[str | int, ...]) -> None:
    async with edge() as client:
        response = await client.get("/arrivals", params={"cursor": encode_cursor(key)})
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


async def test_a_cursor_of_the_lists_shape_reaches_the_route_typed() -> None:
    async with edge() as client:
        response = await client.get("/arrivals", params={"cursor": encode_cursor(("2026-12-05T10:00:00+00:00", "U-1"))})
    assert response.status_code == 200
    assert response.json()["after"] == repr((datetime(2026, 12, 5, 10, 0, tzinfo=UTC), "U-1"))


@pytest.mark.parametrize("limit", [MAX_LIMIT + 1, 0, -1])
async def test_a_limit_outside_one_to_five_hundred_is_a_422_naming_limit(limit: int) -> None:
    async with edge() as client:
        response = await client.get("/names", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


async def test_the_openapi_document_bounds_limit_and_cursor() -> None:
    async with edge() as client:
        document = (await client.get("/openapi.json")).json()
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/names"]["get"]["parameters"]}
    assert parameters["limit"]["maximum"] == MAX_LIMIT
    assert parameters["cursor"]["anyOf"][0]["maxLength"] == 512
