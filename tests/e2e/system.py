"""The system under test: catalog, inventory, orders, store-sync, trade-in, repair and crm running in
this process, each with its own database, on this session's topic namespace. Steps a user would take, as plain
functions."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor

from catalog.bootstrap import build as build_catalog
from catalog.config import CatalogSettings
from crm.bootstrap import build as build_crm
from crm.config import CrmSettings
from inventory.bootstrap import build as build_inventory
from inventory.config import InventorySettings
from orders.bootstrap import build as build_orders
from orders.config import OrdersSettings
from reloop_localstack.testing import (
    api,
    customer_headers,
    eventually,
    luhn_imei,
    running,
    service_settings,
    staff_headers,
)
from repair.bootstrap import build as build_repair
from repair.config import RepairSettings
from store_sync.bootstrap import build as build_store_sync
from store_sync.config import StoreSyncSettings
from trade_in.bootstrap import build as build_trade_in
from trade_in.config import TradeInSettings

_imeis = iter(range(uuid.uuid4().int % 10**8 * 100, 10**12))


@dataclass
class System:
    catalog: httpx.AsyncClient
    inventory: httpx.AsyncClient
    orders: httpx.AsyncClient
    store_sync: httpx.AsyncClient
    crm: httpx.AsyncClient
    trade_in: httpx.AsyncClient
    """Without credentials: each step says who calls (the customer's token, a scope of staff)."""
    repair: httpx.AsyncClient
    """Without credentials, as trade-in."""
    databases: dict[str, str]
    """Each service's database, by service name."""
    keyvault_url: str
    """The key store every service seals personal data with."""
    apps: dict[str, FastAPI]
    """Each service's app, by service name: for a caller that carries no credentials at all."""


@asynccontextmanager
async def system(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]], *, trace_sql: bool = False
) -> AsyncIterator[System]:
    """The seven services running; `trace_sql`: a span per SQL statement (the tests of what spans hold)."""
    names = ("catalog", "inventory", "orders", "store-sync", "crm", "trade-in", "repair")
    databases = {name: await new_database() for name in names}
    catalog, catalog_app = build_catalog(
        service_settings(CatalogSettings, env, databases["catalog"], trace_sql=trace_sql)
    )
    inventory, inventory_app = build_inventory(
        service_settings(InventorySettings, env, databases["inventory"], expiry_interval_s=0.5, trace_sql=trace_sql)
    )
    orders, orders_app = build_orders(service_settings(OrdersSettings, env, databases["orders"], trace_sql=trace_sql))
    shops, shops_app = build_store_sync(
        service_settings(StoreSyncSettings, env, databases["store-sync"], trace_sql=trace_sql)
    )
    # The segment job is left to CRM's own tests: it would only add noise here.
    crm, crm_app = build_crm(
        service_settings(
            CrmSettings,
            env,
            databases["crm"],
            segment_interval_s=3600.0,
            trace_sql=trace_sql,
            lookup_rate_limit="10000/minute",  # the tests poll lookups; CRM's own tests prove the limit
        )
    )
    trade_in, trade_in_app = build_trade_in(
        service_settings(TradeInSettings, env, databases["trade-in"], trace_sql=trace_sql)
    )
    # Renewals are run by the tests that need them, at the moment they choose; a plan covers from
    # its first day (repair's own tests hold the waiting period).
    repair, repair_app = build_repair(
        service_settings(
            RepairSettings,
            env,
            databases["repair"],
            renewal_sweep_s=3600.0,
            waiting_period_days={"default": 0},
            trace_sql=trace_sql,
        )
    )
    async with AsyncExitStack() as stack:
        sql_tracer = AsyncPGInstrumentor()  # type: ignore[no-untyped-call]
        if trace_sql and not sql_tracer.is_instrumented_by_opentelemetry:
            # The services switch it on for the whole process: off again for the tests after this one.
            stack.callback(sql_tracer.uninstrument)
        await stack.enter_async_context(running(catalog, inventory, orders, shops, crm, trade_in, repair))
        # The back office's staff, holding what the steps below do in catalog, inventory and CRM.
        back_office = staff_headers("catalog:write", "inventory:write", "inventory:read", "inventory:count")
        customer_care = {
            **staff_headers("crm:read", "crm:read-personal", "crm:write", "crm:merge", "crm:erase"),
            "X-Purpose": "end-to-end test",  # CRM records why personal data is opened
        }
        yield System(
            await stack.enter_async_context(api(catalog_app, headers=back_office)),
            await stack.enter_async_context(api(inventory_app, headers=back_office)),
            await stack.enter_async_context(api(orders_app)),
            await stack.enter_async_context(api(shops_app)),
            await stack.enter_async_context(api(crm_app, headers=customer_care)),
            await stack.enter_async_context(api(trade_in_app)),
            await stack.enter_async_context(api(repair_app)),
            databases,
            crm.keyvault_url,
            {
                "catalog": catalog_app,
                "inventory": inventory_app,
                "orders": orders_app,
                "store-sync": shops_app,
                "crm": crm_app,
                "trade-in": trade_in_app,
                "repair": repair_app,
            },
        )


async def ok(response: Awaitable[httpx.Response]) -> Any:
    answered = await response
    assert answered.status_code < 300, f"{answered.request.method} {answered.request.url}: {answered.text}"
    return answered.json()


async def list_device(system: System, sku: str, price_minor: int, market: str = "FR", currency: str = "EUR") -> None:
    """The catalog lists and prices a refurbished SKU; inventory and orders learn it from events."""
    product = f"p-{sku}"
    await ok(
        system.catalog.post(
            "/admin/products",
            json={"product_id": product, "brand": "Apple", "model": "iPhone 13", "category": "smartphone"},
        )
    )
    await ok(
        system.catalog.post(
            "/admin/skus",
            json={
                "sku": sku,
                "product_id": product,
                "kind": "refurbished_device",
                "title": "iPhone 13 128 GB midnight, excellent",
                "grade": "excellent",
                "storage_gb": 128,
                "colour": "midnight",
            },
        )
    )
    await ok(
        system.catalog.put(
            f"/admin/skus/{sku}/prices/{market}", json={"amount_minor": price_minor, "currency": currency}
        )
    )

    async def known_everywhere() -> bool:
        stock = await system.inventory.get(f"/availability/{sku}")
        shop = await system.orders.get(f"/storefront/{market}/skus/{sku}")
        return stock.status_code == 200 and shop.status_code == 200 and shop.json().get("price") is not None

    await eventually(known_everywhere, message=f"inventory and orders learnt {sku} from the catalog")


async def location(system: System, location_id: str, kind: str, market: str = "FR") -> str:
    await ok(
        system.inventory.post(
            "/locations", json={"location_id": location_id, "kind": kind, "market": market, "name": location_id}
        )
    )
    return location_id


async def stock_unit(system: System, sku: str, location_id: str) -> str:
    received = await ok(
        system.inventory.post(
            "/units",
            json={
                "sku": sku,
                "identifier": {"kind": "imei", "value": luhn_imei(next(_imeis))},
                "location_id": location_id,
            },
        )
    )
    await ok(system.inventory.post(f"/units/{received['unit_id']}/inspection", json={"outcome": "restock"}))
    return str(received["unit_id"])


async def buy_online(
    system: System,
    sku: str,
    customer_id: str,
    market: str = "FR",
    contact: dict[str, Any] | None = None,
    vouchers: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A customer buys one unit of `sku` on the storefront and pays by card, giving `contact` (their
    e-mail, delivery postal code...) if set, and paying part with `vouchers` (`{code, amount}`) if
    set; returns the order."""
    signed_in = customer_headers(customer_id)  # the storefront knows the customer from their token
    cart = await ok(system.orders.post("/carts", json={"market": market}, headers=signed_in))
    await ok(
        system.orders.post(
            f"/carts/{cart['cart_id']}/lines",
            json={"sku": sku, "quantity": 1, "kind": "refurbished_device"},
            headers=signed_in,
        )
    )
    placed = await ok(
        system.orders.post(
            f"/carts/{cart['cart_id']}/checkout",
            json={
                "fulfilment": "ship",
                "payment": {"method": "card", "token": "tok_visa"},
                **({"contact": contact} if contact else {}),
                **({"vouchers": vouchers} if vouchers else {}),
            },
            headers=signed_in,
        )
    )
    order_id = placed["order_id"]

    async def stock_committed() -> bool:
        order = (await system.orders.get(f"/orders/{order_id}", headers=signed_in)).json()
        return bool(order.get("stock_committed"))

    await eventually(stock_committed, message="the order was placed and inventory applied its sale")
    order: dict[str, Any] = (await system.orders.get(f"/orders/{order_id}", headers=signed_in)).json()
    return order


async def register_shop(system: System, shop_id: str, kind: str = "own_shop", market: str = "FR") -> str:
    """The back office registers a shop in store-sync; inventory learns it as a location from the
    ShopRegistered event. Returns the shop's API key."""
    body: dict[str, Any] = {
        "shop_id": shop_id,
        "name": shop_id,
        "kind": kind,
        "market": market,
        "timezone": "Europe/Paris" if market == "FR" else "America/New_York",
    }
    registered = await ok(system.store_sync.post("/shops", json=body, headers=staff_headers("store-sync:admin")))

    async def known_to_inventory() -> bool:
        page = (await system.inventory.get("/locations", params={"limit": 500})).json()
        return any(x["location_id"] == shop_id for x in page["items"])

    await eventually(known_to_inventory, message=f"inventory learnt shop {shop_id} from store-sync")
    return str(registered["api_key"]["api_key"])


async def sell_in_shop(
    system: System,
    shop_id: str,
    api_key: str,
    sku: str,
    unit_id: str,
    price_minor: int,
    currency: str = "EUR",
    customer: dict[str, Any] | None = None,
    payments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The till posts a sale with its own transaction id, as a POS does; `customer` is what the
    customer gave at the till (contact details, consent), if anything; `payments` how it was paid
    (by card, if not said)."""
    money = {"amount_minor": price_minor, "currency": currency}
    recorded: dict[str, Any] = await ok(
        system.store_sync.post(
            f"/shops/{shop_id}/sales",
            json={
                "client_txn_id": f"T-{uuid.uuid4().hex[:10]}",
                "occurred_at": datetime.now(UTC).isoformat(),
                "lines": [
                    {"line_id": "1", "kind": "refurbished_device", "sku": sku, "unit_id": unit_id, "unit_price": money}
                ],
                "payments": payments or [{"method": "card", "amount": money}],
                "total": money,
                **({"customer": customer} if customer else {}),
            },
            headers={"Authorization": f"Bearer {api_key}"},
        )
    )
    return recorded


async def timeline_showing(system: System, account_id: str, kinds: Mapping[str, int]) -> list[dict[str, Any]]:
    """The customer's CRM timeline, once it shows at least `kinds[k]` entries of each kind `k`
    (CRM follows the topics on its own time)."""
    found: list[dict[str, Any]] = []

    async def every_step() -> bool:
        answer = await system.crm.get("/profiles", params={"account_id": account_id})
        if answer.status_code != 200:
            return False
        profile = await ok(system.crm.get(f"/profiles/{answer.json()['profile_id']}"))
        found[:] = profile["timeline"]
        seen = [e["kind"] for e in found]
        return all(seen.count(kind) >= n for kind, n in kinds.items())

    await eventually(every_step, timeout=60, message=f"CRM's timeline shows {dict(kinds)}")
    return found
