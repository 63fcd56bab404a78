"""Who calls a service while it is fuzzed: each kind of guard on its routes gets a campaign with
valid credentials for it, and one campaign carries none at all."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from reloop_localstack.testing import customer_headers, staff_headers
from reloop_shared.http.authentication import guards
from tests.fuzz.schemathesis_cli import Campaign

CUSTOMER = "fuzz-customer"
SHOP_KEY = "shop-key"
"""store-sync's guards start with it: the path's shop, with one of that shop's keys."""

_REFUSED = Path(__file__).with_name("refused_without_credentials.py")


def scopes_used(app: FastAPI) -> list[str]:
    """Every scope a route of `app` asks for: a staff token holding them all may call every one."""
    found: set[str] = set()
    for kind in guards(app).values():
        if kind and "scopes:" in kind:
            found.update(kind.split("scopes:", 1)[1].split())
    return sorted(found)


def documented(app: FastAPI) -> dict[str, str | None]:
    """`guards(app)` of the operations the OpenAPI document shows (not `/metrics`)."""
    paths = app.openapi()["paths"]
    return {
        route: kind
        for route, kind in guards(app).items()
        if route.split(" ", 1)[0].lower() in paths.get(route.split(" ", 1)[1], {})
    }


def _routes(app: FastAPI, *, staff: bool = False, customer: bool = False, shop: bool = False) -> list[str]:
    chosen = []
    for route, kind in documented(app).items():
        kind = kind or ""
        if (
            (staff and (kind == "public" or "scopes:" in kind))
            or (customer and kind == "customer")
            or (shop and kind.startswith(SHOP_KEY))
        ):
            chosen.append(route)
    return sorted(chosen)


def staff(app: FastAPI) -> Campaign:
    """A staff member holding every scope the service knows, on its staff and public routes."""
    return Campaign("staff", _routes(app, staff=True), staff_headers(*scopes_used(app), subject="fuzz-staff"))


def customer(app: FastAPI) -> Campaign | None:
    """A signed-in customer on the routes that serve a customer their own things."""
    routes = _routes(app, customer=True)
    return Campaign("customer", routes, customer_headers(CUSTOMER)) if routes else None


async def shop(app: FastAPI, base_url: str) -> Campaign | None:
    """A real shop, registered through the back office, with its real key, on its own routes: the
    path's `shop_id` is pinned to it, or nearly every case would be another shop's 403."""
    routes = _routes(app, shop=True)
    if not routes:
        return None
    shop_id = "fuzz-shop"
    body = {"shop_id": shop_id, "name": "Fuzz shop", "kind": "own_shop", "market": "FR", "timezone": "Europe/Paris"}
    async with httpx.AsyncClient(base_url=base_url, headers=staff_headers(*scopes_used(app))) as back_office:
        registered = await back_office.post("/shops", json=body)
    assert registered.status_code == 201, registered.text
    key = str(registered.json()["api_key"]["api_key"])
    return Campaign("shop", routes, {"X-Api-Key": key}, path_parameters={"shop_id": shop_id})


def anyone(app: FastAPI) -> Campaign:
    """No credentials at all, on every route that is not public: only 401 and 403, whatever the
    request holds. Cheaper: the answer must not depend on the input."""
    routes = sorted(route for route, kind in documented(app).items() if kind != "public")
    return Campaign(
        "without credentials",
        routes,
        {},
        checks=("not_a_server_error", "refused_without_credentials"),
        max_examples=3,
        phases="examples,fuzzing",
        hooks=_REFUSED,
    )
