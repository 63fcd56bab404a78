"""What an event tells CRM, whatever its type: a customer (maybe), a timeline entry (maybe), and
the anonymous facts the analytics count. Event mappers produce these; the projection applies them.

They are named tuples: immutable like frozen dataclasses, and several times cheaper to build, which
matters for values made once per event of a rebuild of millions."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, Protocol
from uuid import UUID


class Sealed(Protocol):
    """Personal fields sealed under their subject's key, as they travelled."""

    @property
    def key_id(self) -> str: ...

    @property
    def nonce(self) -> str: ...

    @property
    def ciphertext(self) -> str: ...


class SealedFields(NamedTuple):
    """Sealed personal fields as an event carried them."""

    key_id: str
    nonce: str
    ciphertext: str


class ConsentCapture(NamedTuple):
    marketing: bool
    partner_sharing: bool
    captured_at: datetime
    captured_by: str


class Customer(NamedTuple):
    """Who an event is about, as the producer stated it; whether CRM may use it is decided later."""

    account_id: str | None
    subject_id: str | None
    sealed: Sealed | None
    data_owner: str
    consent: ConsentCapture | None
    captured_by: str


class TimelineEntry(NamedTuple):
    entry_key: str
    kind: str
    occurred_at: datetime
    sale_id: str | None
    channel: str | None
    location_id: str | None
    market: str | None
    detail: str
    """JSON, as the mapper wrote it."""
    thread: str | None = None
    """What later entries that name no one hang on (`trade-in:<id>`, `voucher:<id>`,
    `subscription:<id>`, `repair:<ticket id>`): an entry that names its customer brings the whole
    thread onto their timeline."""


class SaleFact(NamedTuple):
    sale_id: str
    channel: str
    location_id: str
    market: str
    sold_at: datetime
    currency: str
    total_minor: int
    device_units: int
    accessory_units: int
    service_units: int


class ReturnFact(NamedTuple):
    return_id: str
    sale_id: str
    channel: str
    location_id: str
    market: str
    returned_at: datetime
    units: int
    currency: str
    refund_minor: int


class VoucherFact(NamedTuple):
    voucher_id: str
    market: str
    currency: str
    amount_minor: int
    issued_at: datetime


class RedemptionFact(NamedTuple):
    voucher_id: str
    sale_id: str
    channel: str
    shop_id: str | None
    redeemed_at: datetime
    currency: str
    amount_minor: int
    basket_minor: int


class ShopTradeInFact(NamedTuple):
    trade_in_id: str
    shop_id: str
    recorded_at: datetime
    currency: str
    paid_minor: int


class GradingFact(NamedTuple):
    trade_in_id: str
    shop_id: str
    accurate: bool
    checked_at: datetime


class SubscriptionFact(NamedTuple):
    """A repair subscription's start: its market, for the plan figures."""

    subscription_id: str
    market: str
    started_at: datetime


class SubscriptionStatusFact(NamedTuple):
    """A repair subscription entering a state (`domain/repair_figures.STATUSES`) at a time."""

    subscription_id: str
    status: str
    at: datetime


class RepairTicketFact(NamedTuple):
    """A repair ticket's intake: where, when and who pays (a claim on the plan when `plan`)."""

    ticket_id: str
    market: str
    coverage: str
    opened_at: datetime


class Observation(NamedTuple):
    event_id: UUID
    source: str
    occurred_at: datetime
    customer: Customer | None = None
    entry: TimelineEntry | None = None
    sale: SaleFact | None = None
    returned: ReturnFact | None = None
    voucher: VoucherFact | None = None
    redemption: RedemptionFact | None = None
    shop_trade_in: ShopTradeInFact | None = None
    grading: GradingFact | None = None
    subscription: SubscriptionFact | None = None
    subscription_status: SubscriptionStatusFact | None = None
    repair_ticket: RepairTicketFact | None = None
