"""Tolerant readers of the events CRM only consumes (sales, returns, order steps).

CRM reads the contract's fields it uses, with the contract's names, types and simple constraints
(checked in pydantic's core), and leaves the producer-side rules written in Python (lines adding
up to the total, a device line naming its unit, UTC normalisation) to the producers and their
consumers that act on them. Those rules cost more than the parsing of a sale, and a projection
that must be rebuilt from millions of events cannot pay them. The live service and `reloop replay
crm` decode with the same readers, so they agree on every event; a test keeps each reader, parts
included, a subset of its contract.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, Literal, NotRequired

from pydantic import AwareDatetime, Field, create_model
from typing_extensions import TypedDict

from reloop_contracts import REGISTRY, Event, Registry, TopicSpec
from reloop_contracts import orders as order_contracts
from reloop_contracts import sales as sales_contracts
from reloop_contracts import store as store_contracts

# The parts of an event are typed dictionaries, not models: pydantic's core checks them the same
# way and hands back plain dicts, which costs half of building a model for every part of every
# sale. A field the contract gives a default is `NotRequired` here; the mappers apply the default.

Id = Annotated[str, Field(min_length=1)]


class MoneyPart(TypedDict):
    amount_minor: Annotated[int, Field(ge=0)]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class SealedPersonalData(TypedDict):
    key_id: str
    algorithm: NotRequired[Literal["AES-256-GCM"]]
    nonce: str
    ciphertext: str


class Consent(TypedDict):
    marketing: NotRequired[bool]
    partner_sharing: NotRequired[bool]
    captured_at: AwareDatetime
    captured_by: str


class CustomerRef(TypedDict):
    customer_id: NotRequired[str | None]
    subject_id: NotRequired[str | None]
    personal: NotRequired[SealedPersonalData | None]
    consent: NotRequired[Consent | None]
    data_owner: NotRequired[Literal["reloop", "partner"]]


Channel = Literal["online", "own_shop", "partner_shop"]
ItemKind = Literal["refurbished_device", "accessory", "service"]
Market = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class SaleLine(TypedDict):
    line_id: Id
    kind: ItemKind
    sku: Id
    unit_id: NotRequired[str | None]
    quantity: NotRequired[Annotated[int, Field(ge=1)]]
    unit_price: MoneyPart
    discount: NotRequired[MoneyPart | None]
    service_code: NotRequired[str | None]


class ReturnLine(TypedDict):
    line_id: str
    kind: ItemKind
    sku: Id
    unit_id: NotRequired[str | None]
    quantity: NotRequired[Annotated[int, Field(ge=1)]]
    reason: NotRequired[str]
    refund: MoneyPart


class SaleRecorded(Event):
    EVENT_TYPE = "SaleRecorded"
    OCCURRED_AT = "sold_at"

    sale_id: Id
    channel: Channel
    location_id: Id
    market: Market
    sold_at: AwareDatetime
    lines: list[SaleLine] = Field(min_length=1)
    total: MoneyPart
    customer: CustomerRef | None = None


class ReturnRecorded(Event):
    EVENT_TYPE = "ReturnRecorded"
    OCCURRED_AT = "returned_at"

    return_id: Id
    sale_id: Id
    channel: Channel
    location_id: Id
    market: Market
    returned_at: AwareDatetime
    lines: list[ReturnLine] = Field(min_length=1)
    customer: CustomerRef | None = None


class OrderFulfilled(Event):
    EVENT_TYPE = "OrderFulfilled"
    OCCURRED_AT = "fulfilled_at"

    order_id: str
    fulfilment: Literal["ship", "click_and_collect"]
    location_id: Id
    fulfilled_at: AwareDatetime


class OrderDelivered(Event):
    EVENT_TYPE = "OrderDelivered"
    OCCURRED_AT = "delivered_at"

    order_id: str
    delivered_at: AwareDatetime
    withdrawal_deadline: AwareDatetime


class OrderCancelled(Event):
    EVENT_TYPE = "OrderCancelled"
    OCCURRED_AT = "cancelled_at"

    order_id: str
    reason: str
    cancelled_at: AwareDatetime


class ReturnRequested(Event):
    EVENT_TYPE = "ReturnRequested"
    OCCURRED_AT = "requested_at"

    order_id: str
    return_id: str
    line_ids: list[str]
    reason: str
    requested_at: AwareDatetime


class ShopRegistered(Event):
    EVENT_TYPE = "ShopRegistered"
    OCCURRED_AT = "registered_at"

    shop_id: Id
    kind: Literal["own_shop", "partner_shop"]
    market: Market
    registered_at: AwareDatetime
    postal_code: str | None = None
    opens_on: date | None = None


READERS: dict[type[Event], type[Event]] = {
    sales_contracts.SaleRecorded: SaleRecorded,
    sales_contracts.ReturnRecorded: ReturnRecorded,
    order_contracts.OrderFulfilled: OrderFulfilled,
    order_contracts.OrderDelivered: OrderDelivered,
    order_contracts.OrderCancelled: OrderCancelled,
    order_contracts.ReturnRequested: ReturnRequested,
    store_contracts.ShopRegistered: ShopRegistered,
}
"""Contract event -> the reader CRM decodes it with."""

READ_ONLY: tuple[TopicSpec, ...] = (sales_contracts.TRANSACTIONS, order_contracts.ORDERS, store_contracts.SHOPS)


def _skipped(event: type[Event], key: str) -> type[Event]:
    """An event of a read topic that CRM does not use: known (so not a poison message), and
    decoded no further than its key."""
    model = create_model(f"Skipped{event.__name__}", __base__=Event, **{key: (str, ...)})  # type: ignore[call-overload]
    model.EVENT_TYPE = event.EVENT_TYPE
    model.SCHEMA_VERSION = event.SCHEMA_VERSION
    return model


def _read(topic: TopicSpec) -> TopicSpec:
    """The topic as CRM reads it: its reader for each event it uses, a bare one for the others."""
    events = tuple(READERS.get(e) or _skipped(e, topic.key) for e in topic.events)
    return dataclasses.replace(topic, events=events)


def crm_registry(registry: Registry = REGISTRY) -> Registry:
    """Every topic as the contracts declare it, except those CRM only reads, which it reads
    with its readers."""
    return Registry.of(_read(t) if t in READ_ONLY else t for t in registry)


REGISTRY_FOR_CRM = crm_registry()
SALES = REGISTRY_FOR_CRM.topic(sales_contracts.TRANSACTIONS.name)
ORDERS = REGISTRY_FOR_CRM.topic(order_contracts.ORDERS.name)
SHOP_REGISTRY = REGISTRY_FOR_CRM.topic(store_contracts.SHOPS.name)
