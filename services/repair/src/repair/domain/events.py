"""What happened to tickets and parts, in domain terms (mapped to contract events in
adapters/translators). The subscriptions' events live in `subscription_events`; the unit of work
carries both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from repair.domain.devices import Device
from repair.domain.subscription_events import SubscriptionEvent

Channel = Literal["online", "own_shop", "partner_shop"]
Coverage = Literal["plan", "warranty", "paid"]
Status = Literal[
    "received",
    "diagnosed",
    "quoted",
    "waiting_for_parts",
    "in_repair",
    "repaired",
    "quality_checked",
    "ready_for_pickup",
    "shipped_back",
    "returned_unrepaired",
    "closed",
]
HandBack = Literal["picked_up", "shipped"]


@dataclass(frozen=True)
class PartNeed:
    part_sku: str
    quantity: int


@dataclass(frozen=True)
class TicketOpened:
    ticket_id: str
    channel: Channel
    shop_id: str | None
    drop_off_id: str | None
    market: str
    customer_id: str | None
    device: Device
    bought_from_us: bool
    unit_id: str | None
    symptoms: str
    coverage: Coverage
    coverage_reason: str
    subscription_id: str | None
    at: datetime


@dataclass(frozen=True)
class TicketDiagnosed:
    ticket_id: str
    findings: tuple[str, ...]
    parts: tuple[PartNeed, ...]
    estimate: Money
    repairable: bool
    beyond_economic_repair: bool
    by: str
    at: datetime


@dataclass(frozen=True)
class RepairQuoted:
    ticket_id: str
    amount: Money
    answer_by: datetime
    at: datetime


@dataclass(frozen=True)
class QuoteAnswered:
    ticket_id: str
    accepted: bool
    by_default: bool
    at: datetime


@dataclass(frozen=True)
class TicketProgressed:
    ticket_id: str
    status: Status
    by: str
    at: datetime


@dataclass(frozen=True)
class RepairCompleted:
    ticket_id: str
    coverage: Coverage
    charged: Money
    parts_used: tuple[PartNeed, ...]
    at: datetime


@dataclass(frozen=True)
class DeviceHandedBack:
    ticket_id: str
    repaired: bool
    how: HandBack
    shop_id: str | None
    at: datetime


@dataclass(frozen=True)
class TradeInSuggested:
    ticket_id: str
    customer_id: str | None
    market: str
    device: Device
    repair_estimate: Money
    resale_value: Money
    at: datetime


@dataclass(frozen=True)
class PartsBelowReorderPoint:
    part_sku: str
    centre_id: str
    on_hand: int
    reserved: int
    reorder_point: int
    at: datetime


TicketEvent = (
    TicketOpened
    | TicketDiagnosed
    | RepairQuoted
    | QuoteAnswered
    | TicketProgressed
    | RepairCompleted
    | DeviceHandedBack
    | TradeInSuggested
)
PartsEvent = PartsBelowReorderPoint

DomainEvent = TicketEvent | PartsEvent | SubscriptionEvent
"""Everything the service's aggregates record: one unit of work carries tickets, parts and subscriptions."""
