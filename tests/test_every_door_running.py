"""The doors that only a running system can show: a shop's key opens its own shop's routes and is a
403 on every route of another shop (store-sync's README: a shop acts only for itself), and every
public route of every service answers a caller without credentials, refusing nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

import httpx
import pytest

from reloop_localstack.testing import api
from reloop_shared.http.authentication import guards
from tests.e2e.system import register_shop, system

pytestmark = pytest.mark.connected

SHOP_ROUTES = ("shop-key", "shop-key-or-scopes:store-sync:admin")
"""store-sync's guards that a shop's key opens (the second also takes the back office)."""


def _concrete(path: str, **values: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), path)


async def test_a_shops_key_is_a_403_on_every_route_of_another_shop_and_nothing_is_a_401_there(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    tag = uuid.uuid4().hex[:8]
    async with system(env, new_database) as s:
        ours, theirs = f"shop-a-{tag}", f"shop-b-{tag}"
        our_key = await register_shop(s, ours)
        await register_shop(s, theirs)
        app = s.apps["store-sync"]
        doors = sorted(route for route, kind in guards(app).items() if kind in SHOP_ROUTES)
        assert len(doors) >= 10, doors
        async with api(app) as anyone:
            answers: dict[str, httpx.Response] = {}
            for route in doors:
                method, path = route.split(" ", 1)
                url = _concrete(path, shop_id=theirs)
                # The key either way a till may send it.
                for how, headers in (
                    ("bearer", {"Authorization": f"Bearer {our_key}"}),
                    ("x-api-key", {"X-Api-Key": our_key}),
                ):
                    answers[f"{route} by {how}"] = await anyone.request(method, url, json={}, headers=headers)
                answers[f"{route} without a key"] = await anyone.request(method, url, json={})
            own_reads = {
                route: await anyone.get(_concrete(route.split(" ", 1)[1], shop_id=ours), headers={"X-Api-Key": our_key})
                for route in doors
                # A read of one named thing (a voucher hold) answers 404 for "x": its guard let it through.
                if route.startswith("GET ") and route.count("{") == 1
            }
    expected = {route: 401 if route.endswith("without a key") else 403 for route in answers}
    assert {route: answer.status_code for route, answer in answers.items()} == expected
    assert {answer.json()["field"] for route, answer in answers.items() if expected[route] == 403} == {"shop_id"}
    # The same key opens its own shop's reads: the 403s above are about whose shop it is.
    assert own_reads, "a shop reads its own registry entry, feed, quarantine and collected devices"
    assert {route: answer.status_code for route, answer in own_reads.items()} == dict.fromkeys(own_reads, 200)


async def test_every_public_route_of_every_service_answers_a_caller_without_credentials(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    answers: dict[str, int] = {}
    async with system(env, new_database) as s:
        for service, app in s.apps.items():
            public = [route for route, kind in guards(app).items() if kind == "public"]
            assert len(public) >= 3, f"{service}: at least health, readiness and metrics are public"
            async with api(app) as anyone:
                for route in public:
                    method, path = route.split(" ", 1)
                    answers[f"{service} {route}"] = (await anyone.request(method, _concrete(path))).status_code
    # Made-up ids are not found (404) or not valid (422); what matters is that nobody asked who calls.
    refused_or_broken = {route: status for route, status in answers.items() if status in (401, 403) or status >= 500}
    assert refused_or_broken == {}
    assert {answers[f"{service} GET /healthz"] for service in s.apps} == {200}
    assert {answers[f"{service} GET /readyz"] for service in s.apps} == {200}
