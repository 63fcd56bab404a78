"""Steps that bring inventory under test to a state, the same way in memory and on the real stack:
the catalog's SKUs by delivering its events, locations and stock through the back office's
handlers on the service's own unit of work. Every id is new: on the real stack, topics last the
whole session.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from inventory.domain import commands
from inventory.domain.units import Unit
from inventory.service_layer import locations_and_skus, queries, receiving
from reloop_contracts import NonNegativeMoney, catalog, sales
from reloop_contracts import inventory as contract
from reloop_contracts.common import Channel, ItemKind
from services.inventory.tests.messaging.under_test import Inventory

PRICE_MINOR = 45900


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


async def location(service: Inventory, kind: str = "own_shop", market: str = "FR") -> str:
    """A location the back office registered (a shop, a warehouse, the refurbishment centre)."""
    location_id = unique(kind.replace("_", "-"))
    command = commands.RegisterLocation(location_id, kind, market, location_id)
    await locations_and_skus.register_location(command, service.unit_of_work())
    return location_id


async def listed(service: Inventory, kind: ItemKind = "refurbished_device", grade: str | None = "good") -> str:
    """A SKU the catalog listed, learnt from its event."""
    sku = unique("IPH13" if kind == "refurbished_device" else "CASE")
    await service.deliver(
        catalog.SkuListed(
            sku=sku,
            product_id=f"p-{sku}",
            kind=kind,
            title=sku,
            grade=grade if kind == "refurbished_device" else None,
            listed_at=datetime.now(UTC),
        ),
        producer="catalog",
    )
    return sku


async def available_unit(service: Inventory, sku: str, location_id: str) -> str:
    """A unit received at `location_id` and restocked after inspection."""
    unit_id = unique("U")
    received = commands.ReceiveUnit(unit_id, sku, "serial", unique("SN"), location_id)
    await receiving.receive_unit(received, service.unit_of_work())
    await receiving.inspect_unit(commands.InspectUnit(unit_id, "restock"), service.unit_of_work())
    return unit_id


async def accessories(service: Inventory, sku: str, location_id: str, quantity: int) -> None:
    await receiving.receive_accessories(commands.ReceiveAccessories(sku, location_id, quantity), service.unit_of_work())


async def unit(service: Inventory, unit_id: str) -> Unit:
    return await queries.unit(unit_id, service.unit_of_work())


async def status_of(service: Inventory, unit_id: str) -> str:
    return (await unit(service, unit_id)).status


async def available(service: Inventory, sku: str) -> int:
    """What inventory would answer for the SKU's availability now."""
    return sum(x.available for x in await queries.availability(sku, service.unit_of_work()))


def device_sale(
    location_id: str,
    sku: str,
    unit_id: str,
    *,
    channel: Channel = "own_shop",
    currency: str = "EUR",
    reservation_id: str | None = None,
    **extra: Any,
) -> sales.SaleRecorded:
    money = NonNegativeMoney(amount_minor=PRICE_MINOR, currency=currency)
    return sales.SaleRecorded(
        sale_id=unique("SALE"),
        channel=channel,
        location_id=location_id,
        market="FR",
        sold_at=datetime.now(UTC),
        lines=[sales.SaleLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, unit_price=money)],
        payments=[sales.PaymentLine(method="card", amount=money)],
        total=money,
        reservation_id=reservation_id,
        **extra,
    )


def device_return(sale: sales.SaleRecorded, location_id: str, *, unit_id: str | None = None) -> sales.ReturnRecorded:
    """The sale's device brought back to `location_id` (or, when given, another unit in its place)."""
    [line] = sale.lines
    return sales.ReturnRecorded(
        return_id=unique("RET"),
        sale_id=sale.sale_id,
        channel=sale.channel,
        location_id=location_id,
        market=sale.market,
        returned_at=datetime.now(UTC),
        lines=[
            sales.ReturnLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                unit_id=unit_id or line.unit_id,
                refund=line.unit_price,
            )
        ],
    )


def hold(
    *lines: contract.RequestedLine, location_id: str | None = None, hold_seconds: int = 900
) -> contract.ReservationRequested:
    return contract.ReservationRequested(
        reservation_id=unique("HOLD"),
        channel="online",
        market="FR",
        location_id=location_id,
        lines=list(lines),
        hold_seconds=hold_seconds,
        requested_at=datetime.now(UTC),
    )


def device_line(sku: str, unit_id: str | None = None, line_id: str = "1") -> contract.RequestedLine:
    return contract.RequestedLine(line_id=line_id, kind="refurbished_device", sku=sku, unit_id=unit_id)


def accessory_line(sku: str, quantity: int, line_id: str = "2") -> contract.RequestedLine:
    return contract.RequestedLine(line_id=line_id, kind="accessory", sku=sku, quantity=quantity)
