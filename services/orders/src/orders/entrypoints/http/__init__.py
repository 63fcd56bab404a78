"""Orders' HTTP edge: the storefront (a SKU's price, public; carts, checkout and the customer's
own order, with the customer's token) and the warehouse's actions (a staff scope, `scopes.py`).
A route parses the request, calls one handler and shapes its answer; refusals go through
untouched, and the shared edge (`reloop_shared.http.errors`) answers them by kind."""

from __future__ import annotations

from fastapi import APIRouter

from orders.entrypoints.http import carts, checkout, orders, storefront, warehouse
from orders.entrypoints.http.dependencies import HttpDependencies


def routes(dependencies: HttpDependencies) -> APIRouter:
    router = APIRouter()
    for resource in (storefront, carts, checkout, orders, warehouse):
        router.include_router(resource.router(dependencies))
    return router
