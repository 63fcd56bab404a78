"""Every guarded route of every service refuses a bad credential the same way (README, "Security
model"): a token expired, signed by a key not trusted, or for another audience is a 401 naming
`Authorization`; a valid staff token without the route's scope is a 403 naming the scope. The same
token made right opens the door, so none of these refusals is the edge trusting no one.

The guards answer before any I/O, so the services run without a database or a broker here; a route
that touched one before its guard would answer 500 instead of 401."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from reloop_localstack.testing import TEST_KEYS, session_verifier
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import issue_token
from reloop_shared.http.authentication import guards, install_verifier
from tests.test_every_door import LOCKED

SHOP_KEY = "shop-key"
"""store-sync's guard of a shop's own routes: only that shop's key, never a token."""


@dataclass(frozen=True)
class Door:
    """A guarded route and the token its rightful caller carries (none for a shop's key)."""

    method: str
    path: str
    audience: str | None
    scopes: tuple[str, ...]
    takes_customers: bool = False
    """A staff route that a customer's own token opens too ("customer-or-scopes:..."): no audience
    is foreign to it."""

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def foreign_audience(self) -> str:
        """The audience of the other kind of caller: a customer's token on a staff route, and back."""
        return STAFF if self.audience == STOREFRONT else STOREFRONT


def _door(route: str, kind: str) -> Door:
    method, path = route.split(" ", 1)
    if kind == "customer":
        return Door(method, path, STOREFRONT, ())
    if kind == SHOP_KEY:
        return Door(method, path, None, ())
    # "scopes:a b" (staff), or a service's own guard that also takes staff: "shop-key-or-scopes:a".
    if (found := re.fullmatch(r"(?:[a-z-]+-or-)?scopes:(.+)", kind)) is None:
        raise AssertionError(f"{route}: a guard kind this test does not know: {kind}")
    return Door(method, path, STAFF, tuple(found.group(1).split()), kind.startswith("customer-or-"))


def _doors(app: FastAPI) -> list[Door]:
    return [_door(route, str(kind)) for route, kind in guards(app).items() if kind != "public"]


def _app(service: str) -> FastAPI:
    """The service's edge trusting this session's issuer (what `RELOOP_JWKS` does in a deployment)."""
    _, app = LOCKED[service]()
    install_verifier(app, session_verifier())
    return app


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


def _token(keys: LocalKeySet, audience: str, scopes: tuple[str, ...] = (), now: datetime | None = None) -> str:
    subject = "customer-door" if audience == STOREFRONT else "staff-door"
    return issue_token(keys, subject=subject, audience=audience, scopes=scopes, now=now)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _client(app: FastAPI) -> httpx.AsyncClient:
    # A route that passed its guard goes on to a database that is not there: a 500, not an
    # exception out of the client, so the test can say which status each door gave.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://edge")


async def _knock(client: httpx.AsyncClient, door: Door, headers: dict[str, str]) -> httpx.Response:
    return await client.request(door.method, _concrete(door.path), json={}, headers=headers)


def _refusals(answers: dict[str, httpx.Response], status: int, reason: str) -> Iterator[str]:
    """Each answer that is not `status` with a message saying `reason`, as a line for the failure."""
    for route, answer in answers.items():
        body = answer.json() if answer.headers.get("content-type") == "application/json" else {}
        if answer.status_code != status or reason not in str(body.get("message", "")):
            yield f"{route} answered {answer.status_code} {answer.text[:160]}"


SERVICES = sorted(LOCKED)


@pytest.mark.parametrize("service", SERVICES)
async def test_an_expired_token_is_a_401_on_every_route_that_takes_one(service: str) -> None:
    app = _app(service)
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    answers = {}
    async with _client(app) as client:
        for door in _doors(app):
            if door.audience is not None:
                expired = _token(TEST_KEYS, door.audience, door.scopes, now=two_hours_ago)
                answers[door.route] = await _knock(client, door, _bearer(expired))
    assert answers, f"{service} has routes that take a token"
    assert [*_refusals(answers, 401, "expired")] == []
    assert {a.json()["field"] for a in answers.values()} == {"Authorization"}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_token_signed_by_a_key_not_trusted_is_a_401_on_every_route_that_takes_one(
    service: str, tmp_path: Path
) -> None:
    app = _app(service)
    stranger = LocalKeySet(tmp_path / "someone-elses-keys.json")
    answers = {}
    async with _client(app) as client:
        for door in _doors(app):
            if door.audience is not None:
                forged = _token(stranger, door.audience, door.scopes)
                answers[door.route] = await _knock(client, door, _bearer(forged))
    assert answers
    assert [*_refusals(answers, 401, "not trusted")] == []
    assert {a.json()["field"] for a in answers.values()} == {"Authorization"}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_token_for_another_audience_is_a_401_even_holding_the_routes_scopes(service: str) -> None:
    app = _app(service)
    answers = {}
    async with _client(app) as client:
        for door in _doors(app):
            if door.audience is not None and not door.takes_customers:
                # A customer's token on a staff route carrying the scope, a staff token on a customer's route.
                elsewhere = _token(TEST_KEYS, door.foreign_audience, door.scopes)
                answers[door.route] = await _knock(client, door, _bearer(elsewhere))
    assert answers
    assert [*_refusals(answers, 401, "not for")] == []
    assert {a.json()["field"] for a in answers.values()} == {"Authorization"}


@pytest.mark.parametrize("service", SERVICES)
async def test_a_valid_staff_token_lacking_the_scope_is_a_403_naming_the_scope_it_lacks(service: str) -> None:
    app = _app(service)
    doors = [door for door in _doors(app) if door.scopes]
    every_scope = {scope for door in doors for scope in door.scopes}
    assert doors, f"{service} has routes behind a scope"
    answers, missing = {}, {}
    async with _client(app) as client:
        for door in doors:
            for scope in door.scopes:
                # Everything the service knows of but this one scope: only its absence can refuse.
                holding = tuple(sorted(every_scope - {scope}))
                route = f"{door.route} without {scope}"
                answers[route] = await _knock(client, door, _bearer(_token(TEST_KEYS, STAFF, holding)))
                missing[route] = scope
    assert [*_refusals(answers, 403, "scope")] == []
    assert {route: (a.json()["field"], a.json()["scope"]) for route, a in answers.items()} == {
        route: ("scope", scope) for route, scope in missing.items()
    }


@pytest.mark.parametrize("service", SERVICES)
async def test_the_rightful_token_passes_every_guard_that_takes_a_token(service: str) -> None:
    app = _app(service)
    answers = {}
    async with _client(app) as client:
        for door in _doors(app):
            if door.audience is not None:
                rightful = _token(TEST_KEYS, door.audience, door.scopes)
                answers[door.route] = await _knock(client, door, _bearer(rightful))
    # Past the guard the route reaches for a database this test does not start (500), or finds the
    # empty body wrong (422): either way, the door opened.
    assert {route: a.status_code for route, a in answers.items() if a.status_code in (401, 403)} == {}


async def test_no_token_opens_a_shops_own_routes_not_even_the_back_offices() -> None:
    app = _app("store-sync")
    doors = [door for door in _doors(app) if door.audience is None]
    assert doors, "store-sync has routes only a shop's key opens"
    back_office = _token(TEST_KEYS, STAFF, ("store-sync:admin",))
    async with _client(app) as client:
        answers = {door.route: await _knock(client, door, _bearer(back_office)) for door in doors}
    assert [*_refusals(answers, 401, "API key")] == []
    assert {a.json()["field"] for a in answers.values()} == {"Authorization"}
