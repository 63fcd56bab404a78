"""Helpers for the orders tests against the real broker and database (a plain module, no fixtures).

The catalog and inventory are played by producing their events exactly as their outboxes would:
an envelope, the topic's key, the event-type/schema-version headers.

The tests run on the real topics renamed for this run (`TOPICS`): a broker shared with a live
inventory would otherwise answer the tests' holds itself, and consume the tests' made-up sales.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import httpx
from fastapi import FastAPI

from orders.config import OrdersSettings
from reloop_contracts import REGISTRY, Event, NonNegativeMoney, Registry, TopicSpec, catalog, inventory
from reloop_contracts.common import ItemKind
from reloop_localstack.testing import (
    api,
    customer_headers,
    eventually,
    prepare_namespace,
    produce_raw,
    read_events,
    service_settings,
    staff_headers,
)
from reloop_shared.kafka import headers as h
from reloop_shared.messaging.codec import encode, envelope_for

DEVICE = "refurbished_device"
ACCESSORY = "accessory"
WAREHOUSE = "WH-PARIS-1"
E = TypeVar("E", bound=Event)

_RUN = f"orders-tests-{uuid.uuid4().hex[:8]}"
TOPICS = Registry.of(dataclasses.replace(topic, name=f"{_RUN}.{topic.name}") for topic in REGISTRY)


def on(topic: TopicSpec) -> TopicSpec:
    """This run's copy of a contract topic."""
    return TOPICS.topic(f"{_RUN}.{topic.name}")


def settings(env: dict[str, str], database_url: str, keyvault_url: str | None = None) -> OrdersSettings:
    """Orders on this run's database; its key store is `keyvault_url` when a test opens sealed data."""
    # This run's topics carry their prefix in `TOPICS` itself: the same namespace's topics and ACLs.
    prepare_namespace(env, _RUN)
    return service_settings(OrdersSettings, env, database_url, keyvault_database_url=keyvault_url, topic_namespace="")


def shopper(app: FastAPI, customer_id: str | None = None) -> httpx.AsyncClient:
    """A customer's browser on orders: every request carries their storefront token (a new customer
    unless `customer_id` names one), so carts and orders are theirs."""
    return api(app, headers=customer_headers(customer_id or unique("cust")))


def warehouse() -> dict[str, str]:
    """The warehouse's Authorization header, sent instead of the customer's on its steps."""
    return staff_headers("orders:warehouse")


class MovableClock:
    """Real time, plus however far a test moved it (to be past a deadline without waiting for it)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


async def publish(env: dict[str, str], topic: TopicSpec, *events: Event, producer: str) -> list[uuid.UUID]:
    """Produce `events` in order, as `producer`'s outbox would; returns their event ids."""
    messages, ids = [], []
    for event in events:
        envelope = envelope_for(event, producer=producer)
        headers = {h.EVENT_TYPE: envelope.event_type, h.SCHEMA_VERSION: str(envelope.schema_version)}
        messages.append((topic.key_of(event).encode(), encode(envelope), headers))
        ids.append(envelope.event_id)
    await produce_raw(env["KAFKA_BOOTSTRAP_SERVERS"], on(topic).name, messages)
    return ids


async def first_event(env: dict[str, str], topic: TopicSpec, kind: type[E], match: Callable[[E], bool]) -> E:
    found = await read_events(
        env["KAFKA_BOOTSTRAP_SERVERS"], on(topic).name, lambda e: isinstance(e, kind) and match(e), expect=1
    )
    assert found, f"no {kind.__name__} on {topic.name}"
    event = found[0]
    assert isinstance(event, kind)
    return event


async def list_and_price(
    env: dict[str, str], client: httpx.AsyncClient, sku: str, kind: str, amount_minor: int, market: str = "FR"
) -> None:
    """The catalog lists and prices a SKU; returns once the storefront shows the price."""
    effective = datetime.now(UTC) - timedelta(minutes=1)
    listed = catalog.SkuListed(
        sku=sku,
        product_id=f"product-{sku}",
        kind=cast(ItemKind, kind),
        title=f"{sku} for tests",
        grade="excellent" if kind == DEVICE else None,
        listed_at=effective,
    )
    priced = catalog.SkuPriced(
        sku=sku,
        market=market,
        price=NonNegativeMoney(amount_minor=amount_minor, currency="EUR"),
        effective_at=effective,
    )
    await publish(env, catalog.SKUS, listed, priced, producer="catalog")

    async def shown() -> bool:
        response = await client.get(f"/storefront/{market}/skus/{sku}")
        return response.status_code == 200 and response.json()["price"] is not None

    await eventually(shown, message=f"the storefront shows the price of {sku}")


async def cart_with(client: httpx.AsyncClient, *lines: tuple[str, str, int], market: str = "FR") -> dict[str, Any]:
    """A cart of the customer `client` signs in as (`shopper`), with `lines`."""
    response = await client.post("/carts", json={"market": market})
    assert response.status_code == 201, response.text
    cart: dict[str, Any] = response.json()
    for sku, kind, quantity in lines:
        response = await client.post(
            f"/carts/{cart['cart_id']}/lines", json={"sku": sku, "kind": kind, "quantity": quantity}
        )
        assert response.status_code == 201, response.text
        cart = response.json()
    return cart


async def check_out(
    client: httpx.AsyncClient, cart_id: str, token: str = "tok_visa", contact: dict[str, Any] | None = None
) -> str:
    body: dict[str, Any] = {"fulfilment": "ship", "payment": {"method": "card", "token": token}}
    if contact is not None:
        body["contact"] = contact
    response = await client.post(f"/carts/{cart_id}/checkout", json=body)
    assert response.status_code == 202, response.text
    order_id: str = response.json()["order_id"]
    return order_id


async def reservation_requested(env: dict[str, str], order_id: str) -> inventory.ReservationRequested:
    """What orders asked inventory to hold for this order (an online order reserves under its id)."""
    return await first_event(
        env, inventory.RESERVATION_REQUESTS, inventory.ReservationRequested, lambda e: e.reservation_id == order_id
    )


async def confirm(env: dict[str, str], request: inventory.ReservationRequested, units: dict[str, str]) -> None:
    """Inventory holds every requested line, a device line on the unit named in `units`."""
    confirmed = inventory.ReservationConfirmed(
        reservation_id=request.reservation_id,
        lines=[
            inventory.ReservedLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                quantity=line.quantity,
                unit_id=units.get(line.line_id),
                location_id=WAREHOUSE,
            )
            for line in request.lines
        ],
        expires_at=datetime.now(UTC) + timedelta(seconds=request.hold_seconds),
    )
    await publish(env, inventory.RESERVATIONS, confirmed, producer="inventory")


async def order_when(
    client: httpx.AsyncClient, order_id: str, check: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    async def holds() -> bool:
        nonlocal seen
        seen = (await client.get(f"/orders/{order_id}")).json()
        return check(seen)

    try:
        await eventually(holds)
    except AssertionError:
        raise AssertionError(f"order {order_id} never got there; last seen: {seen}") from None
    return seen


async def order_in(client: httpx.AsyncClient, order_id: str, status: str) -> dict[str, Any]:
    return await order_when(client, order_id, lambda order: order.get("status") == status)
