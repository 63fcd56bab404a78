"""Bodies of the registry, mapping, quarantine, feed and collection-hub endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictInt

from reloop_shared.http.requests import RequestBody
from store_sync.config import MAX_UPLOAD
from store_sync.domain.collected_devices import CollectedDevice
from store_sync.domain.collection import Shipment
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.domain.shops import Shop
from store_sync.entrypoints.http.transaction_schemas import Ident, MoneyIn, SkuCode
from store_sync.service_layer.partner_tickets import TicketOutcome
from store_sync.service_layer.ports import FeedItem, Quarantined
from store_sync.service_layer.projections import FeedPage

MAX_UNITS_SHIPPED = 1000
"""Devices one shipment carries: a shop's boxes hold tens."""
ShopId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
PostalCode = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$")]


class PolicyIn(RequestBody):
    """Who owns the customer data the shop captures, and when it reaches reloop's CRM."""

    data_owner: Literal["reloop", "partner"]
    crm_sharing: Literal["always", "with_consent", "never"]

    def domain(self) -> CustomerDataPolicy:
        return CustomerDataPolicy(self.data_owner, self.crm_sharing)


class ShopPolicyIn(RequestBody):
    policy: PolicyIn | None = Field(description="The shop's own policy; null: follow its operator's.")


class OperatorIn(RequestBody):
    operator_id: ShopId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    pos_format: Literal["reloop", "telco_pos"] = "telco_pos"
    policy: PolicyIn | None = Field(default=None, description="Default of its shops; partner/with_consent if unset.")


class OperatorOut(BaseModel):
    operator_id: str
    name: str
    pos_format: str
    policy: PolicyIn


class ShopIn(RequestBody):
    shop_id: ShopId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal["own_shop", "partner_shop"]
    market: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    timezone: Annotated[str, Field(min_length=1, max_length=64, description="IANA, e.g. America/New_York.")]
    operator_id: ShopId | None = None
    policy: PolicyIn | None = Field(default=None, description="Overrides the operator's policy for this shop.")
    tax_rate_bp: StrictInt | None = Field(default=None, ge=0, le=10_000, description="2000 = 20 %; market default.")
    postal_code: PostalCode | None = Field(default=None, description="Where the shop is, e.g. 75001 or SW1A 1AA.")
    opens_on: date | None = Field(default=None, description="The day it opens to customers (local); unset: now.")


class ShopOut(BaseModel):
    shop_id: str
    name: str
    kind: str
    market: str
    currency: str
    timezone: str
    tax_rate_bp: int
    operator_id: str | None
    pos_format: str
    policy: PolicyIn
    policy_source: Literal["shop", "operator", "default"]
    postal_code: str | None
    opens_on: date | None


def shop_out(shop: Shop) -> ShopOut:
    policy = shop.policy
    source = "shop" if shop.own_policy else "operator" if shop.operator_policy else "default"
    return ShopOut(
        shop_id=shop.shop_id,
        name=shop.name,
        kind=shop.kind,
        market=shop.market,
        currency=shop.currency,
        timezone=shop.timezone,
        tax_rate_bp=shop.tax_rate_bp,
        operator_id=shop.operator_id,
        pos_format=shop.pos_format,
        policy=PolicyIn(data_owner=policy.data_owner, crm_sharing=policy.crm_sharing),
        policy_source=source,
        postal_code=shop.postal_code,
        opens_on=shop.opens_on,
    )


class ApiKeyOut(BaseModel):
    key_id: str
    api_key: str = Field(description="Shown once: only its SHA-256 is kept.")


class RegisteredShopOut(ShopOut):
    api_key: ApiKeyOut


class SkuMappingIn(RequestBody):
    sku: SkuCode
    kind: Literal["refurbished_device", "accessory", "service"]


class SkuMappingOut(BaseModel):
    partner_sku: str
    sku: str
    kind: str


class TicketOutcomeOut(BaseModel):
    ticket: str | None
    result: Literal["recorded", "duplicate", "conflict", "waiting_for_sale", "quarantined"]
    canonical_id: str | None = None
    quarantine_id: int | None = None
    reason: str = ""
    field: str | None = None


PartnerTicket = Annotated[dict[Annotated[str, Field(max_length=64)], Any], Field(max_length=100)]
"""A ticket in the operator's till format: its fields are the operator's to name, at most 100 of
them (the route's body limit bounds what they hold)."""


class TicketsIn(RequestBody):
    tickets: list[PartnerTicket] = Field(
        min_length=1, max_length=MAX_UPLOAD, description="Tickets in the operator's till format."
    )


class TicketsOut(BaseModel):
    shop_id: str
    received: int
    recorded: int
    duplicates: int
    quarantined: int
    outcomes: list[TicketOutcomeOut]


def tickets_out(shop_id: str, outcomes: list[TicketOutcome]) -> TicketsOut:
    return TicketsOut(
        shop_id=shop_id,
        received=len(outcomes),
        recorded=sum(1 for o in outcomes if o.result == "recorded"),
        duplicates=sum(1 for o in outcomes if o.result == "duplicate"),
        quarantined=sum(1 for o in outcomes if o.result == "quarantined"),
        outcomes=[TicketOutcomeOut.model_validate(o.__dict__) for o in outcomes],
    )


class MappingReplayOut(BaseModel):
    mapping: SkuMappingOut
    replayed: list[TicketOutcomeOut]


class ReplayIn(RequestBody):
    ticket: PartnerTicket | None = Field(default=None, description="A corrected ticket; the stored one if null.")


class QuarantinedOut(BaseModel):
    quarantine_id: int
    shop_id: str
    operator_id: str | None
    source: str
    ticket_key: str
    reason: str
    field: str | None
    partner_sku: str | None
    status: str
    attempts: int
    business_date: date | None
    quarantined_at: datetime
    replayed_at: datetime | None
    outcome: str | None
    ticket: dict[str, Any] = Field(description="As sent, without its customer block.")
    has_customer: bool


def quarantined_out(item: Quarantined) -> QuarantinedOut:
    values = {k: v for k, v in item.__dict__.items() if k not in ("customer", "client_txn_id")}
    return QuarantinedOut(**values, has_customer=item.customer is not None)


class PriceOut(BaseModel):
    price: MoneyIn
    effective_at: datetime


class FeedItemOut(BaseModel):
    sku: str
    seq: int
    kind: str | None
    title: str | None
    grade: str | None
    discontinued: bool
    price: PriceOut | None = Field(description="In the shop's market, tax included, in effect now.")
    next_price: PriceOut | None = Field(description="A price already announced for later: switch at effective_at.")
    available_here: int = Field(description="Units sellable in this shop now.")
    available_from_warehouse: int = Field(description="Units a warehouse of the shop's market can send.")


class FeedOut(BaseModel):
    shop_id: str
    market: str
    cursor: int
    next_cursor: int = Field(description="Send it back (or the ETag) to get only what changed after.")
    more: bool
    items: list[FeedItemOut]


def feed_out(page: FeedPage) -> FeedOut:
    return FeedOut(
        shop_id=page.shop_id,
        market=page.market,
        cursor=page.cursor,
        next_cursor=page.next_cursor,
        more=page.more,
        items=[feed_item(i) for i in page.items],
    )


def _price(value: tuple[int, str, datetime] | None) -> PriceOut | None:
    if value is None:
        return None
    return PriceOut(price=MoneyIn(amount_minor=value[0], currency=value[1]), effective_at=value[2])


def feed_item(item: FeedItem) -> FeedItemOut:
    return FeedItemOut(
        sku=item.sku,
        seq=item.seq,
        kind=item.kind,
        title=item.title,
        grade=item.grade,
        discontinued=item.discontinued,
        price=_price(item.price),
        next_price=_price(item.next_price),
        available_here=item.available_here,
        available_from_warehouse=item.available_from_warehouse,
    )


class CollectedOut(BaseModel):
    unit_id: str
    kind: str
    source_id: str
    sku: str | None
    identifier_kind: str | None
    identifier: str | None
    collected_at: datetime


def collected_out(item: CollectedDevice) -> CollectedOut:
    return CollectedOut(**item.device.__dict__, collected_at=item.collected_at)


class ShipmentIn(RequestBody):
    shipment_ref: Ident = Field(description="The shop's own reference: sending it again is the same shipment.")
    to_location_id: ShopId
    unit_ids: list[Ident] | None = Field(
        default=None, max_length=MAX_UNITS_SHIPPED, description="Devices to ship; every waiting one if null."
    )
    carrier_reference: Ident | None = None


class ReceiptIn(RequestBody):
    unit_ids: list[Ident] | None = Field(
        default=None, max_length=MAX_UNITS_SHIPPED, description="Devices found in the parcel; all if null."
    )


class ShipmentOut(BaseModel):
    shipment_id: str
    shop_id: str
    to_location_id: str
    status: str
    unit_ids: list[str]
    carrier_reference: str | None
    dispatched_at: datetime
    received_at: datetime | None
    received_unit_ids: list[str]
    missing_unit_ids: list[str]


def shipment_out(shipment: Shipment) -> ShipmentOut:
    return ShipmentOut(
        shipment_id=shipment.shipment_id,
        shop_id=shipment.shop_id,
        to_location_id=shipment.to_location_id,
        status=shipment.status,
        unit_ids=[d.unit_id for d in shipment.devices],
        carrier_reference=shipment.carrier_reference,
        dispatched_at=shipment.dispatched_at,
        received_at=shipment.received_at,
        received_unit_ids=list(shipment.received),
        missing_unit_ids=list(shipment.missing),
    )
