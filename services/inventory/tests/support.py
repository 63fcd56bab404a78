"""Helpers for inventory's tests against the real broker and database."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from inventory.config import InventorySettings
from reloop_contracts import NonNegativeMoney
from reloop_contracts.catalog import SkuListed
from reloop_contracts.sales import PaymentLine, SaleLine, SaleRecorded
from reloop_localstack.testing import eventually, luhn_imei, publish, service_settings, staff_headers

_serials = itertools.count(int(uuid.uuid4().int % 10**9) * 1000)


def settings(env: dict[str, str], database_url: str) -> InventorySettings:
    return service_settings(InventorySettings, env, database_url, expiry_interval_s=0.2)


def writer() -> dict[str, str]:
    """A stock keeper's Authorization header (a fresh token per call: tokens expire)."""
    return staff_headers("inventory:write")


def reader() -> dict[str, str]:
    """The back office's Authorization header: units, holds, locations."""
    return staff_headers("inventory:read")


def new_sku(prefix: str = "IPH13") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8].upper()}"


async def list_skus(bootstrap: str, client: httpx.AsyncClient, skus: list[tuple[str, str, str | None]]) -> None:
    """The catalog lists SKUs (kind, grade); wait until inventory knows them (availability is
    public: no token)."""
    now = datetime.now(UTC)
    await publish(
        bootstrap,
        [
            SkuListed(sku=sku, product_id=f"p-{sku}", kind=kind, title=sku, grade=grade, listed_at=now)
            for sku, kind, grade in skus
        ],
        producer="catalog",
    )
    for sku, _, _ in skus:

        async def known(sku: str = sku) -> bool:
            return (await client.get(f"/availability/{sku}")).status_code == 200

        await eventually(known, message=f"inventory learnt SKU {sku} from the catalog")


async def location(client: httpx.AsyncClient, location_id: str, kind: str, market: str = "FR") -> str:
    response = await client.post(
        "/locations",
        json={"location_id": location_id, "kind": kind, "market": market, "name": location_id},
        headers=writer(),
    )
    assert response.status_code == 201, response.text
    return location_id


async def available_unit(client: httpx.AsyncClient, sku: str, location_id: str) -> str:
    """Receive a unit with a fresh valid IMEI and restock it after inspection."""
    received = await client.post(
        "/units",
        json={
            "sku": sku,
            "identifier": {"kind": "imei", "value": luhn_imei(next(_serials))},
            "location_id": location_id,
        },
        headers=writer(),
    )
    assert received.status_code == 201, received.text
    unit_id: str = received.json()["unit_id"]
    inspected = await client.post(f"/units/{unit_id}/inspection", json={"outcome": "restock"}, headers=writer())
    assert inspected.status_code == 200, inspected.text
    return unit_id


def device_sale(
    sale_id: str,
    channel: str,
    location_id: str,
    sku: str,
    unit_id: str,
    *,
    price: int = 45900,
    currency: str = "EUR",
    market: str = "FR",
    reservation_id: str | None = None,
    **extra: Any,
) -> SaleRecorded:
    money = NonNegativeMoney(amount_minor=price, currency=currency)
    return SaleRecorded(
        sale_id=sale_id,
        channel=channel,
        location_id=location_id,
        market=market,
        sold_at=datetime.now(UTC),
        lines=[SaleLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, unit_price=money)],
        payments=[PaymentLine(method="card", amount=money)],
        total=money,
        reservation_id=reservation_id,
        **extra,
    )


async def unit_status(client: httpx.AsyncClient, unit_id: str) -> str:
    status: str = (await client.get(f"/units/{unit_id}", headers=reader())).json()["status"]
    return status


async def every_page(
    client: httpx.AsyncClient, path: str, params: dict[str, str | int], headers: dict[str, str] | None = None
) -> tuple[list[dict[str, Any]], int]:
    """Every item of a list, following its cursors to the last page, and how many pages it took."""
    items: list[dict[str, Any]] = []
    query, pages = dict(params), 0
    while True:
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        pages += 1
        if response.json()["next_cursor"] is None:
            return items, pages
        query["cursor"] = response.json()["next_cursor"]
