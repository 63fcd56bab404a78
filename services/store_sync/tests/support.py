"""Helpers for store-sync's tests against the real broker and database (a plain module, no fixtures).

The service runs on this session's topic namespace, so a broker shared with other runs or a live
stack never mixes their events with ours; every test registers shops of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from reloop_contracts import Event, TopicSpec
from reloop_localstack.testing import read_events, service_settings, staff_headers
from store_sync.config import StoreSyncSettings

ADMIN_SCOPE = "store-sync:admin"
CHARGER = "CHG-USB-C-20W"


def settings(env: dict[str, str], database_url: str, keyvault_url: str) -> StoreSyncSettings:
    return service_settings(
        StoreSyncSettings,
        env,
        database_url,
        keyvault_database_url=keyvault_url,
        credential_cache_s=0,
    )


def back_office() -> dict[str, str]:
    """The back office: a staff token of this session's issuer holding `store-sync:admin` (fresh per
    call, as a token lasts an hour)."""
    return staff_headers(ADMIN_SCOPE)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


async def operator(client: httpx.AsyncClient, operator_id: str, policy: dict[str, str] | None = None) -> str:
    body: dict[str, Any] = {"operator_id": operator_id, "name": operator_id, "pos_format": "telco_pos"}
    if policy is not None:
        body["policy"] = policy
    response = await client.post("/operators", json=body, headers=back_office())
    assert response.status_code == 201, response.text
    return operator_id


async def shop(
    client: httpx.AsyncClient,
    shop_id: str,
    *,
    kind: str = "own_shop",
    market: str = "FR",
    timezone: str = "Europe/Paris",
    operator_id: str | None = None,
    **extra: Any,
) -> str:
    """Register a shop; returns its API key."""
    body = {"shop_id": shop_id, "name": shop_id, "kind": kind, "market": market, "timezone": timezone, **extra}
    if operator_id is not None:
        body["operator_id"] = operator_id
    response = await client.post("/shops", json=body, headers=back_office())
    assert response.status_code == 201, response.text
    key: str = response.json()["api_key"]["api_key"]
    return key


def money(amount_minor: int, currency: str = "EUR") -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": currency}


def accessory_sale(
    txn_id: str, at: datetime | str, *, price: int = 1990, quantity: int = 1, sku: str = CHARGER, **extra: Any
) -> dict[str, Any]:
    return {
        "type": "sale",
        "client_txn_id": txn_id,
        "occurred_at": at if isinstance(at, str) else at.isoformat(),
        "lines": [{"line_id": "1", "kind": "accessory", "sku": sku, "quantity": quantity, "unit_price": money(price)}],
        "payments": [{"method": "card", "amount": money(price * quantity)}],
        "total": money(price * quantity),
        **extra,
    }


def device_sale(txn_id: str, at: datetime, sku: str, unit_id: str, price: int = 45900, **extra: Any) -> dict[str, Any]:
    line = {"line_id": "1", "kind": "refurbished_device", "sku": sku, "unit_id": unit_id, "unit_price": money(price)}
    return {
        "type": "sale",
        "client_txn_id": txn_id,
        "occurred_at": at.isoformat(),
        "lines": [line],
        "total": money(price),
        **extra,
    }


def a_day(start: datetime, count: int) -> list[datetime]:
    """`count` moments spread over a shop's opening hours, starting at `start`."""
    return [start + timedelta(seconds=n * 9 * 3600 // count) for n in range(count)]


def yesterday_at(hour: int) -> datetime:
    return (datetime.now(UTC) - timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)


async def all_events(
    env: dict[str, str], topic: TopicSpec, match: Callable[[Event], bool], *, expect: int, settle: float = 4.0
) -> list[Event]:
    """Every matching event on the topic: waits for `expect` of them, then a little longer for any
    extra one (a duplicate would show up here)."""
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    found = await read_events(bootstrap, topic, match, expect=expect, timeout=30)
    if len(found) >= expect:
        found = await read_events(bootstrap, topic, match, expect=expect + 1, timeout=settle)
    return found
