"""Every route of a service whose edge is locked answers 401 to a caller without a token, unless it
is declared public; none is left open by omission (the edge would not even be built)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from reloop_shared.http.authentication import guards, unguarded_routes
from tests.every_service import SERVICES

LOCKED = SERVICES
"""Every service: each route is behind a scope, a customer's token or a shop's key, or declared public."""


def _app(service: str) -> FastAPI:
    _, app = LOCKED[service]()
    return app


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x", path)


@pytest.mark.parametrize("service", sorted(LOCKED))
def test_no_route_is_left_open_by_omission(service: str) -> None:
    assert unguarded_routes(_app(service)) == []


@pytest.mark.parametrize("service", sorted(LOCKED))
async def test_every_route_that_is_not_public_answers_401_without_a_token(service: str) -> None:
    app = _app(service)
    guarded = {route: guard for route, guard in guards(app).items() if guard != "public"}
    assert guarded, f"{service} has routes behind scopes"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        for route in guarded:
            method, path = route.split(" ", 1)
            response = await client.request(method, _concrete(path), json={})
            assert response.status_code == 401, f"{route} answered {response.status_code}"
            assert response.json()["field"] == "Authorization"
