"""Every service's wiring point, by service name: for the tests that walk the whole system's apps
or runtimes (routes, bounded inputs, subscriptions, docs pages)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from catalog.bootstrap import build as build_catalog
from crm.bootstrap import build as build_crm
from inventory.bootstrap import build as build_inventory
from orders.bootstrap import build as build_orders
from reloop_shared.runtime import ServiceRuntime
from repair.bootstrap import build as build_repair
from store_sync.bootstrap import build as build_store_sync
from trade_in.bootstrap import build as build_trade_in

SERVICES: dict[str, Callable[[], tuple[ServiceRuntime, FastAPI]]] = {
    "catalog": build_catalog,
    "crm": build_crm,
    "inventory": build_inventory,
    "orders": build_orders,
    "store-sync": build_store_sync,
    "trade-in": build_trade_in,
    "repair": build_repair,
}
