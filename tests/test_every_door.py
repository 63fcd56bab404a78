"""Every route of a service whose edge is locked answers 401 to a caller without a token, unless it
is declared public; none is left open by omission (the edge would not even be built)."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

from catalog.bootstrap import build as build_catalog
from crm.bootstrap import build as build_crm
from inventory.bootstrap import build as build_inventory
from orders.bootstrap import build as build_orders
from reloop_shared.http.authentication import guards, unguarded_routes
from reloop_shared.runtime import ServiceRuntime
from repair.bootstrap import build as build_repair
from store_sync.bootstrap import build as build_store_sync
from trade_in.bootstrap import build as build_trade_in

LOCKED: dict[str, Callable[[], tuple[ServiceRuntime, FastAPI]]] = {
    "catalog": build_catalog,
    "crm": build_crm,
    "inventory": build_inventory,
    "orders": build_orders,
    "store-sync": build_store_sync,
    "trade-in": build_trade_in,
    "repair": build_repair,
}
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
