"""What happened to trade-ins, in domain terms (mapped to contract events in adapters/translators)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.grades import Grade
from trade_in.domain.vouchers import VoucherEvent

Channel = Literal["online", "own_shop", "partner_shop"]
PayoutMethod = Literal["bank_transfer", "voucher"]
HoldReason = Literal["deny_listed", "activation_lock", "identity_mismatch"]
Category = Literal["smartphone", "tablet", "console", "camera", "laptop", "other"]
ScreenCondition = Literal["flawless", "light_scratches", "deep_scratches", "cracked"]
BodyCondition = Literal["flawless", "light_scratches", "dents", "broken"]


@dataclass(frozen=True)
class Device:
    model_family: str
    """The catalog's product id of the model."""
    storage_gb: int
    category: Category
    identifier: DeviceIdentifier | None


@dataclass(frozen=True)
class Answers:
    """The condition questionnaire as the customer answered it."""

    screen: ScreenCondition
    body: BodyCondition
    battery_health_pct: int | None
    powers_on: bool
    functional_checks_passed: bool
    activation_lock_removed: bool


@dataclass(frozen=True)
class Condition:
    grade: Grade
    """The grade the answers amount to, which the quote is priced on."""
    answers: Answers


@dataclass(frozen=True)
class TradeInQuoted:
    trade_in_id: str
    market: str
    customer_id: str | None
    channel: Channel
    shop_id: str | None
    device: Device
    declared: Condition
    offered: Money
    voucher_bonus_bps: int
    expires_at: datetime
    at: datetime


@dataclass(frozen=True)
class TradeInAccepted:
    trade_in_id: str
    payout_method: PayoutMethod
    shipment_reference: str | None
    at: datetime


@dataclass(frozen=True)
class TradeInShipped:
    """On its way to the centre: mailed (`shipment_reference`) or handed over at a shop."""

    trade_in_id: str
    shipment_reference: str | None
    shop_id: str | None
    drop_off_id: str | None
    at: datetime


@dataclass(frozen=True)
class DeviceReceived:
    trade_in_id: str
    location_id: str
    identifier: DeviceIdentifier
    at: datetime


@dataclass(frozen=True)
class TradeInOnHold:
    trade_in_id: str
    reason: HoldReason
    detail: str
    at: datetime


@dataclass(frozen=True)
class TradeInReleased:
    trade_in_id: str
    released_by: str
    at: datetime


@dataclass(frozen=True)
class DeviceInspected:
    trade_in_id: str
    grade: Grade
    findings: tuple[str, ...]
    inspected_by: str
    worse_than_declared: bool
    at: datetime


@dataclass(frozen=True)
class CounterOfferMade:
    trade_in_id: str
    offered: Money
    findings: tuple[str, ...]
    answer_by: datetime
    at: datetime


@dataclass(frozen=True)
class CounterOfferAnswered:
    trade_in_id: str
    accepted: bool
    by_default: bool
    at: datetime


@dataclass(frozen=True)
class TradeInPaid:
    trade_in_id: str
    method: PayoutMethod
    amount: Money
    voucher_id: str | None
    payout_reference: str | None
    at: datetime


@dataclass(frozen=True)
class DeviceReturned:
    trade_in_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class TradeInExpired:
    trade_in_id: str
    at: datetime


@dataclass(frozen=True)
class TradeInCancelled:
    trade_in_id: str
    by: str
    at: datetime


@dataclass(frozen=True)
class ShopTradeInRecorded:
    trade_in_id: str
    drop_off_id: str
    shop_id: str
    paid: Money
    payout_method: str
    at: datetime


@dataclass(frozen=True)
class ShopGradingChecked:
    trade_in_id: str
    shop_id: str
    shop_grade: Grade
    centre_grade: Grade
    accurate: bool
    at: datetime


@dataclass(frozen=True)
class TradeInUnitReady:
    trade_in_id: str
    unit_id: str
    sku: str
    identifier: DeviceIdentifier
    grade: Grade
    acquired_for: Money
    at: datetime


TradeInEvent = (
    TradeInQuoted
    | TradeInAccepted
    | TradeInShipped
    | DeviceReceived
    | TradeInOnHold
    | TradeInReleased
    | DeviceInspected
    | CounterOfferMade
    | CounterOfferAnswered
    | TradeInPaid
    | DeviceReturned
    | TradeInExpired
    | TradeInCancelled
    | ShopTradeInRecorded
    | ShopGradingChecked
    | TradeInUnitReady
)

DomainEvent = TradeInEvent | VoucherEvent
"""Everything the service's aggregates record: one unit of work carries trade-ins and vouchers."""
