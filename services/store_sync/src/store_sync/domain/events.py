"""What happened in store-sync, in domain terms; mapped to contract events in adapters/translators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from reloop_contracts.amounts import Money
from store_sync.domain.collected_devices import ShippedDevice
from store_sync.domain.days import DayTotals
from store_sync.domain.policy import CustomerDataPolicy, CustomerOut
from store_sync.domain.transactions import DayClose, RepairDropOff, Return, Sale, StockCount, TradeIn


@dataclass(frozen=True)
class ShopRef:
    """The shop as every transaction event names it."""

    shop_id: str
    kind: str
    market: str
    currency: str


@dataclass(frozen=True)
class ShopRegistered:
    shop_id: str
    name: str
    kind: str
    market: str
    currency: str
    timezone: str
    operator_id: str | None
    policy: CustomerDataPolicy
    at: datetime
    postal_code: str | None = None
    opens_on: date | None = None


@dataclass(frozen=True)
class PolicyChanged:
    shop_id: str
    policy: CustomerDataPolicy
    previous: CustomerDataPolicy
    at: datetime


@dataclass(frozen=True)
class SaleRecorded:
    shop: ShopRef
    sale_id: str
    sale: Sale
    customer: CustomerOut | None


@dataclass(frozen=True)
class ReturnRecorded:
    shop: ShopRef
    return_id: str
    sale_id: str
    ret: Return
    customer: CustomerOut | None


@dataclass(frozen=True)
class TradeInDroppedOff:
    shop: ShopRef
    drop_off_id: str
    unit_id: str
    trade_in: TradeIn
    customer: CustomerOut | None


@dataclass(frozen=True)
class RepairDroppedOff:
    shop: ShopRef
    drop_off_id: str
    unit_id: str
    repair: RepairDropOff
    customer: CustomerOut | None


@dataclass(frozen=True)
class StockCounted:
    shop: ShopRef
    count_id: str
    count: StockCount


@dataclass(frozen=True)
class DayClosed:
    shop: ShopRef
    close_id: str
    close: DayClose
    business_date: date
    recorded: DayTotals
    quarantined: int
    balanced: bool


@dataclass(frozen=True)
class ShipmentDispatched:
    shipment_id: str
    from_location_id: str
    to_location_id: str
    devices: tuple[ShippedDevice, ...]
    carrier_reference: str | None
    at: datetime


@dataclass(frozen=True)
class ShipmentReceived:
    shipment_id: str
    from_location_id: str
    to_location_id: str
    received: tuple[str, ...]
    missing: tuple[str, ...]
    at: datetime


@dataclass(frozen=True)
class VoucherHoldRequested:
    """A till asked trade-in to set part of a voucher aside; the code is known by its hash only."""

    request_id: str
    shop_id: str
    market: str
    code_hash: str
    amount: Money
    reference: str | None
    at: datetime


DomainEvent: TypeAlias = (
    ShopRegistered
    | PolicyChanged
    | SaleRecorded
    | ReturnRecorded
    | TradeInDroppedOff
    | RepairDroppedOff
    | StockCounted
    | DayClosed
    | ShipmentDispatched
    | ShipmentReceived
    | VoucherHoldRequested
)
