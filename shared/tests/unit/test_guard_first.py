"""A caller the route refuses is told so before anything about the body it sent: a body that is
not JSON, not UTF-8, too large or unstorable answers 401 (or 403) to a caller who may not call the
route, and the body's own refusal to one who may."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter

from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF
from reloop_shared.auth.tokens import LOCAL_ISSUER, issue_token
from reloop_shared.auth.verification import JwksVerifier, jwks_from_file
from reloop_shared.http.app import DEFAULT_MAX_BODY_BYTES, create_edge
from reloop_shared.http.authentication import install_verifier, public, requires
from reloop_shared.http.requests import RequestBody

UNREADABLE_BODIES = {
    "not JSON": b"{not json",
    "not UTF-8": b'{"name": "\xff"}',
    "unstorable text": b'{"name": "Lyon\\u0000"}',
    "too large": b'{"name": "' + b"x" * (DEFAULT_MAX_BODY_BYTES + 1) + b'"}',
}


class Location(RequestBody):
    name: str


@pytest.fixture
def keys(tmp_path: Path) -> LocalKeySet:
    return LocalKeySet(tmp_path / "signing-keys.json")


def edge(keys: LocalKeySet) -> httpx.AsyncClient:
    router = APIRouter()

    @router.post("/locations", dependencies=[requires("inventory:write")])
    async def register(body: Location) -> dict[str, str]:
        return {"name": body.name}

    @router.post("/suggestions", dependencies=[public()])
    async def suggest(body: Location) -> dict[str, str]:
        return {"name": body.name}

    app = create_edge(title="guard first", routers=[router])
    install_verifier(app, JwksVerifier(jwks_from_file(keys.path), issuer=LOCAL_ISSUER))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge")


def bearer(keys: LocalKeySet, *scopes: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(keys, subject='ada', audience=STAFF, scopes=scopes)}"}


@pytest.mark.parametrize("body", UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys())
async def test_an_unreadable_body_from_a_caller_without_credentials_is_a_401(keys: LocalKeySet, body: bytes) -> None:
    async with edge(keys) as client:
        answer = await client.post("/locations", content=body, headers={"Content-Type": "application/json"})
    assert (answer.status_code, answer.json()["field"]) == (401, "Authorization")


@pytest.mark.parametrize("body", UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys())
async def test_an_unreadable_body_from_a_caller_without_the_scope_is_a_403(keys: LocalKeySet, body: bytes) -> None:
    headers = {"Content-Type": "application/json", **bearer(keys, "catalog:write")}
    async with edge(keys) as client:
        answer = await client.post("/locations", content=body, headers=headers)
    assert (answer.status_code, answer.json()["scope"]) == (403, "inventory:write")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (UNREADABLE_BODIES["not JSON"], 422),
        (UNREADABLE_BODIES["not UTF-8"], 400),
        (UNREADABLE_BODIES["unstorable text"], 422),
        (UNREADABLE_BODIES["too large"], 413),
    ],
    ids=UNREADABLE_BODIES.keys(),
)
async def test_a_caller_the_route_lets_in_and_anyone_on_a_public_route_hear_about_the_body(
    keys: LocalKeySet, body: bytes, status: int
) -> None:
    json = {"Content-Type": "application/json"}
    async with edge(keys) as client:
        allowed = await client.post("/locations", content=body, headers={**json, **bearer(keys, "inventory:write")})
        anyone = await client.post("/suggestions", content=body, headers=json)
    assert (allowed.status_code, anyone.status_code) == (status, status)
    assert "error" in allowed.json()
