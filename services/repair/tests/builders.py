"""Devices, drop-offs, sales and diagnoses for the workshop's tests (a plain module, never conftest)."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from reloop_contracts import NonNegativeMoney, sales, store
from reloop_contracts.common import CustomerRef
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from reloop_localstack.testing import luhn_imei
from repair.domain.devices import Device, identify


def new_imei() -> str:
    return luhn_imei(random.randrange(10**12))


def phone(imei: str | None = None) -> Device:
    return Device(identify("imei", imei or new_imei()), "smartphone", "iphone-13")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def repair_drop_off(
    at: datetime,
    *,
    shop_id: str | None = None,
    customer_id: str | None = None,
    imei: str | None = None,
    unit_id: str | None = None,
) -> store.RepairDroppedOff:
    return store.RepairDroppedOff(
        drop_off_id=unique("DO"),
        shop_id=shop_id or unique("SHOP"),
        channel="own_shop",
        market="FR",
        device=store.DroppedDevice(
            unit_id=unit_id or unique("U"),
            identifier=WireIdentifier(kind="imei", value=imei or new_imei()),
            sku="IP13-128-BLK",
        ),
        issue="cracked screen",
        customer=CustomerRef(customer_id=customer_id) if customer_id else None,
        dropped_off_at=at,
        pos_transaction_id=unique("POS"),
    )


def sale_of(unit_id: str, at: datetime, *, customer_id: str | None = None) -> sales.SaleRecorded:
    price = NonNegativeMoney(amount_minor=45000, currency="EUR")
    return sales.SaleRecorded(
        sale_id=unique("SALE"),
        channel="online",
        location_id="WH-1",
        market="FR",
        sold_at=at,
        lines=[
            sales.SaleLine(
                line_id="1", kind="refurbished_device", sku="IP13-128-BLK-VG", unit_id=unit_id, unit_price=price
            )
        ],
        total=price,
        customer=CustomerRef(customer_id=customer_id) if customer_id else None,
    )
