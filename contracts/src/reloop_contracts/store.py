"""Shops and partner points of sale: the shop registry, drop-offs, stock counts, shipments.

A shop's sales and returns are not here: they are `SaleRecorded` and `ReturnRecorded` on
`sales.transactions.v1`, the same events as online. A shop id is also the shop's location id in
inventory.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.common import CustomerRef, LocationId, Sku, UnitId
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.money import Currency, Market, NonNegativeMoney
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec

ShopKind = Literal["own_shop", "partner_shop"]
DataOwner = Literal["reloop", "partner"]
CrmSharing = Literal["always", "with_consent", "never"]
PayoutMethod = Literal["cash", "store_credit", "bank_transfer"]
CollectedKind = Literal["return", "trade_in", "repair"]


class CustomerDataPolicy(Contract):
    """Who owns the customer data a shop captures, and when its contact details reach reloop's CRM.

    `always`: sealed contact details go to CRM with every sale that captured them (reloop-owned
    data only). `with_consent`: only when the customer agreed at the till (`marketing` for
    reloop-owned data, `partner_sharing` for partner-owned data). `never`: CRM only ever sees
    anonymous sales from the shop, with the consent given.
    """

    data_owner: DataOwner
    crm_sharing: CrmSharing

    @model_validator(mode="after")
    def _partner_data_needs_the_customers_consent(self) -> CustomerDataPolicy:
        if self.data_owner == "partner" and self.crm_sharing == "always":
            raise ValueError("partner-owned customer data reaches reloop only with the customer's consent")
        return self


# --- the shop registry, counts and day closes (store.shops.v1, key shop_id) -------------------------


class ShopRegistered(Event):
    """A shop joined the registry: an own shop or a partner point of sale, with its data policy."""

    OCCURRED_AT = "registered_at"

    shop_id: LocationId
    name: str = Field(min_length=1)
    kind: ShopKind
    market: Market
    currency: Currency
    timezone: str = Field(description="IANA time zone of the shop's tills, e.g. America/New_York.")
    operator_id: str | None = Field(default=None, description="The partner operator running the shop, if any.")
    customer_data: CustomerDataPolicy
    registered_at: UtcDatetime
    postal_code: str | None = Field(
        default=None,
        min_length=1,
        max_length=16,
        description="The shop's postal code: the channel analytics take the area it serves from it.",
    )
    opens_on: date | None = Field(
        default=None, description="The day the shop opens to customers (local); the registration day when unset."
    )


class CustomerDataPolicyChanged(Event):
    """The shop's effective customer-data policy changed (its own, or its operator's default)."""

    OCCURRED_AT = "changed_at"

    shop_id: LocationId
    customer_data: CustomerDataPolicy
    previous: CustomerDataPolicy
    changed_at: UtcDatetime


class CountedAccessory(Contract):
    sku: Sku
    counted: int = Field(ge=0)


class StockCounted(Event):
    """What a shop found on its shelves; inventory replaces its books with it."""

    OCCURRED_AT = "counted_at"

    count_id: str = Field(min_length=1)
    shop_id: LocationId
    reason: str
    accessories: list[CountedAccessory] = Field(default_factory=list)
    units_present: list[UnitId] | None = Field(
        default=None, description="Every device unit found; null when devices were not counted."
    )
    counted_at: UtcDatetime
    pos_transaction_id: str


class DayTotals(Contract):
    sales: int = Field(ge=0)
    sales_amount: NonNegativeMoney
    returns: int = Field(ge=0)
    refunds: NonNegativeMoney
    trade_ins: int = Field(ge=0)
    repairs: int = Field(ge=0)
    sales_tax: NonNegativeMoney | None = Field(default=None, description="Tax included in sales_amount, if known.")


class DayClosed(Event):
    """A till closed its business day: what it reported beside what reloop recorded for that day."""

    OCCURRED_AT = "closed_at"

    close_id: str = Field(min_length=1)
    shop_id: LocationId
    business_date: date = Field(description="The shop's local calendar day.")
    reported: DayTotals
    recorded: DayTotals
    quarantined: int = Field(ge=0, description="Transactions of that day waiting in quarantine.")
    balanced: bool
    closed_at: UtcDatetime
    pos_transaction_id: str


# --- devices left at a shop (store.drop-offs.v1, key drop_off_id) ---------------------------------


class DroppedDevice(Contract):
    unit_id: UnitId = Field(description="The id the device is tracked under from the shop on (assigned there).")
    identifier: DeviceIdentifier
    sku: Sku | None = Field(default=None, description="The SKU, when the shop could tell the model.")
    description: str = ""


class TradeInDroppedOff(Event):
    """A customer sold a device to a shop, or left one quoted online for the centre; it waits there
    for a shipment to refurbishment."""

    OCCURRED_AT = "dropped_off_at"

    drop_off_id: str = Field(min_length=1)
    shop_id: LocationId
    channel: ShopKind
    market: Market
    device: DroppedDevice
    condition: str = ""
    payout: NonNegativeMoney
    payout_method: PayoutMethod
    customer: CustomerRef | None = None
    dropped_off_at: UtcDatetime
    pos_transaction_id: str
    trade_in_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="A trade-in quoted online that the customer brought to the shop instead of mailing it: "
        "the shop only collects the device for the refurbishment centre and pays nothing (payout zero); "
        "the centre inspects it and trade-in pays as quoted or counter-offers. Null when the shop bought "
        "the device on the spot.",
    )

    @model_validator(mode="after")
    def _a_collected_trade_in_is_not_paid_at_the_shop(self) -> TradeInDroppedOff:
        if self.trade_in_id is not None and self.payout.amount_minor != 0:
            raise ValueError("a shop that collects a quoted trade-in pays nothing (payout 0): the centre pays")
        return self


class RepairDroppedOff(Event):
    """A customer left a device at a shop for repair; it travels to the refurbishment centre."""

    OCCURRED_AT = "dropped_off_at"

    drop_off_id: str = Field(min_length=1)
    shop_id: LocationId
    channel: ShopKind
    market: Market
    device: DroppedDevice
    issue: str = Field(min_length=1)
    quote: NonNegativeMoney | None = None
    customer: CustomerRef | None = None
    dropped_off_at: UtcDatetime
    pos_transaction_id: str


# --- the collection hub (store.shipments.v1, key shipment_id) -------------------------------------


class ShippedUnit(Contract):
    unit_id: UnitId
    kind: CollectedKind = Field(description="Why the device was at the shop.")
    source_id: str = Field(description="The return id or drop-off id that left it there.")
    sku: Sku | None = None
    identifier: DeviceIdentifier | None = None


class ShipmentDispatched(Event):
    """Devices collected at a shop left for another location: they are in transit."""

    OCCURRED_AT = "dispatched_at"

    shipment_id: str = Field(min_length=1)
    from_location_id: LocationId
    to_location_id: LocationId
    units: list[ShippedUnit] = Field(min_length=1)
    carrier_reference: str | None = None
    dispatched_at: UtcDatetime


class ShipmentReceived(Event):
    """The shipment arrived; units not found in the parcel are listed as missing."""

    OCCURRED_AT = "received_at"

    shipment_id: str = Field(min_length=1)
    from_location_id: LocationId
    to_location_id: LocationId
    received_unit_ids: list[UnitId]
    missing_unit_ids: list[UnitId] = Field(default_factory=list)
    received_at: UtcDatetime


SHOPS = TopicSpec(
    name="store.shops.v1",
    # For ever: the registry, data policies, stock counts and day closes are records CRM and
    # inventory rebuild from; several kinds of event per shop, so no compaction.
    retention_ms=KEPT_FOR_EVER,
    key="shop_id",
    events=(ShopRegistered, CustomerDataPolicyChanged, StockCounted, DayClosed),
    producers=("store-sync",),
    consumers=("inventory", "crm"),
    description="The shop registry, each shop's customer-data policy, its stock counts and day closes, keyed by shop.",
)

DROP_OFFS = TopicSpec(
    name="store.drop-offs.v1",
    # For ever: a customer's device left in our care.
    retention_ms=KEPT_FOR_EVER,
    key="drop_off_id",
    events=(TradeInDroppedOff, RepairDroppedOff),
    producers=("store-sync",),
    consumers=("trade-in", "repair"),
    description="Devices customers left at a shop (trade-ins, repairs), keyed by drop-off id.",
)

SHIPMENTS = TopicSpec(
    name="store.shipments.v1",
    # For ever: the custody of collected devices on their way to the centre.
    retention_ms=KEPT_FOR_EVER,
    key="shipment_id",
    events=(ShipmentDispatched, ShipmentReceived),
    producers=("store-sync",),
    consumers=("inventory",),
    description="Devices collected at shops travelling to the refurbishment centre, keyed by shipment id.",
)

TOPICS: tuple[TopicSpec, ...] = (SHOPS, DROP_OFFS, SHIPMENTS)
