"""Repair: the unlimited-repair subscription, repair tickets through the workshop, and its parts.

Three topics, all produced by repair. `repair.subscriptions.v1` (key `subscription_id`) follows a
subscription from its start through every renewal, failed payment and overdue state to its end.
`repair.tickets.v1` (key `ticket_id`) follows a device from intake (a shop drop-off or a parcel)
through diagnosis, a quote when it is not covered, the workshop and back to its owner.
`repair.parts.v1` (key `part_sku`) tells when a centre's stock of a part falls to its reorder point.

Personal data: none beyond `customer_id`, the pseudonymous online account id (as in orders). A
ticket's public tracking code never travels: the customer gets it in the API answer that opened
the ticket.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.coherence import after, in_the_markets_currency, shop_named_for_a_shop_channel
from reloop_contracts.common import Category, Channel, LocationId, Sku
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.money import Market, NonNegativeMoney, PositiveMoney
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER, TopicSpec

SubscriptionId = Annotated[str, Field(min_length=1, max_length=64)]
TicketId = Annotated[str, Field(min_length=1, max_length=64)]
CustomerId = Annotated[str, Field(min_length=1, max_length=128, description="Online account id (pseudonymous).")]
Actor = Annotated[
    str, Field(min_length=1, max_length=128, description="Staff subject, the customer's account id, or a process.")
]
ChargeId = Annotated[str, Field(min_length=1, max_length=128, description="The payment port's charge id.")]
Finding = Annotated[str, Field(min_length=1, max_length=200)]

Coverage = Literal["plan", "warranty", "paid"]
"""Who pays a repair: the subscription, reloop's warranty on a device it sold, or the customer."""

TicketStatus = Literal[
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
"""A ticket's states. Consumers must expect values added later within the version."""


class RepairedDevice(Contract):
    """A device as repair knows it: its identity (IMEI or serial), what it is, and which model."""

    identifier: DeviceIdentifier
    category: Category
    model: str = Field(min_length=1, max_length=128, description="The catalog product id, or the model as told.")


# --- subscriptions (repair.subscriptions.v1, key subscription_id) ----------------------------------


class SubscriptionStarted(Event):
    """A customer subscribed (online, or staff for them in a shop): the first period is paid."""

    OCCURRED_AT = "started_at"

    subscription_id: SubscriptionId
    customer_id: CustomerId
    market: Market
    price: PositiveMoney = Field(description="What a period costs in this market (e.g. 6.99 EUR a month in France).")
    devices: list[RepairedDevice] = Field(min_length=1, max_length=20)
    channel: Channel
    shop_id: LocationId | None = None
    charge_id: ChargeId
    period_start: UtcDatetime
    period_end: UtcDatetime = Field(description="Covered until then, paid.")
    started_at: UtcDatetime

    @model_validator(mode="after")
    def _a_start_is_coherent(self) -> SubscriptionStarted:
        in_the_markets_currency(self.market, self.price)
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "subscription or ticket")
        after(self.period_end, self.period_start, "a period ends after it starts")
        return self


class SubscriptionRenewed(Event):
    """A period was charged and paid: covered until `period_end`."""

    OCCURRED_AT = "renewed_at"

    subscription_id: SubscriptionId
    charge_id: ChargeId
    amount: PositiveMoney
    period_start: UtcDatetime
    period_end: UtcDatetime
    renewed_at: UtcDatetime

    @model_validator(mode="after")
    def _a_period_lasts(self) -> SubscriptionRenewed:
        after(self.period_end, self.period_start, "a period ends after it starts")
        return self


class PaymentFailed(Event):
    """A charge for a period failed; it is retried on the market's retry schedule."""

    OCCURRED_AT = "failed_at"

    subscription_id: SubscriptionId
    period_start: UtcDatetime = Field(description="The period the charge was for.")
    attempt: int = Field(ge=1, le=100)
    reason: str = Field(min_length=1, max_length=200)
    next_attempt_at: UtcDatetime | None = Field(default=None, description="Null: no retry is left.")
    failed_at: UtcDatetime


class SubscriptionPastDue(Event):
    """Payment is overdue but the customer is still covered (grace) while it is retried."""

    OCCURRED_AT = "at"

    subscription_id: SubscriptionId
    overdue_since: UtcDatetime
    covered_until: UtcDatetime = Field(description="The end of the paid period, or of the grace if later.")
    at: UtcDatetime


class SubscriptionSuspended(Event):
    """Overdue too long: coverage is revoked (claims are refused with the reason) until payment."""

    OCCURRED_AT = "at"

    subscription_id: SubscriptionId
    overdue_since: UtcDatetime
    reason: str = Field(min_length=1, max_length=200)
    at: UtcDatetime


class SubscriptionReactivated(Event):
    """An overdue or suspended subscription was paid: covered again."""

    OCCURRED_AT = "at"

    subscription_id: SubscriptionId
    charge_id: ChargeId
    amount: PositiveMoney
    period_start: UtcDatetime
    period_end: UtcDatetime
    at: UtcDatetime


class SubscriptionCancelled(Event):
    """Cancelled by the customer, by staff, or by dunning: coverage lasts until `covered_until` (the
    end of what was paid), then the subscription expires."""

    OCCURRED_AT = "cancelled_at"

    subscription_id: SubscriptionId
    by: Actor
    reason: str = Field(default="", max_length=200)
    covered_until: UtcDatetime
    cancelled_at: UtcDatetime


class SubscriptionExpired(Event):
    """A cancelled subscription's paid coverage ran out."""

    OCCURRED_AT = "expired_at"

    subscription_id: SubscriptionId
    expired_at: UtcDatetime


# --- tickets (repair.tickets.v1, key ticket_id) ------------------------------------------------------


class PartNeeded(Contract):
    part_sku: Sku
    quantity: int = Field(default=1, ge=1, le=99)


class RepairTicketOpened(Event):
    """A device arrived for repair (left at a shop, or a parcel) and who pays was decided from
    what repair knows: the customer's plan, reloop's warranty on a device it sold, or the customer."""

    OCCURRED_AT = "opened_at"

    ticket_id: TicketId
    channel: Channel
    shop_id: LocationId | None = None
    drop_off_id: str | None = Field(default=None, min_length=1, description="The drop-off on store.drop-offs.v1.")
    market: Market
    customer_id: CustomerId | None = None
    device: RepairedDevice
    bought_from_us: bool
    unit_id: str | None = Field(default=None, min_length=1, max_length=64, description="The unit reloop sold, if so.")
    symptoms: str = Field(min_length=1, max_length=2000)
    coverage: Coverage
    coverage_reason: str = Field(
        min_length=1, max_length=200, description="Why: the plan, the warranty, or what refused."
    )
    subscription_id: SubscriptionId | None = None
    opened_at: UtcDatetime

    @model_validator(mode="after")
    def _a_ticket_is_coherent(self) -> RepairTicketOpened:
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "subscription or ticket")
        if (self.coverage == "plan") != (self.subscription_id is not None):
            raise ValueError("a repair covered by the plan names its subscription, and only such a repair")
        if self.coverage == "warranty" and not self.bought_from_us:
            raise ValueError("reloop's warranty covers only a device it sold")
        return self


class RepairDiagnosed(Event):
    """The workshop found what is wrong and what it takes; beyond economic repair when the repair
    costs more than the market's share of the device's resale value."""

    OCCURRED_AT = "diagnosed_at"

    ticket_id: TicketId
    findings: list[Finding] = Field(min_length=1, max_length=50)
    parts: list[PartNeeded] = Field(default_factory=list, max_length=50)
    estimate: NonNegativeMoney = Field(description="What the repair costs (parts and labour), covered or not.")
    repairable: bool
    beyond_economic_repair: bool
    diagnosed_by: Actor
    diagnosed_at: UtcDatetime


class RepairQuoted(Event):
    """Not covered: the customer is asked to pay for the repair (the SLA clock waits for them)."""

    OCCURRED_AT = "quoted_at"

    ticket_id: TicketId
    amount: PositiveMoney
    answer_by: UtcDatetime
    quoted_at: UtcDatetime

    @model_validator(mode="after")
    def _an_answer_comes_later(self) -> RepairQuoted:
        after(self.answer_by, self.quoted_at, "a quote is answered after it was made")
        return self


class RepairQuoteAnswered(Event):
    OCCURRED_AT = "answered_at"

    ticket_id: TicketId
    accepted: bool
    by_default: bool = Field(default=False, description="No answer came in time: the market's default applied.")
    answered_at: UtcDatetime


class RepairProgressed(Event):
    """A step of the workshop: waiting for parts, in repair, quality checked, ready for pickup."""

    OCCURRED_AT = "at"

    ticket_id: TicketId
    status: TicketStatus
    by: Actor
    at: UtcDatetime


class RepairCompleted(Event):
    """Repaired and through quality check; `charged` is what the customer pays (zero when covered)."""

    OCCURRED_AT = "completed_at"

    ticket_id: TicketId
    coverage: Coverage
    charged: NonNegativeMoney
    parts_used: list[PartNeeded] = Field(default_factory=list, max_length=50)
    completed_at: UtcDatetime


class RepairReturned(Event):
    """The device is back with its owner: picked up at the shop or shipped, repaired or not."""

    OCCURRED_AT = "returned_at"

    ticket_id: TicketId
    repaired: bool
    how: Literal["picked_up", "shipped"]
    shop_id: LocationId | None = None
    returned_at: UtcDatetime


class TradeInSuggested(Event):
    """A repair would cost more than the device is worth to the business: the owner is offered a
    trade-in instead (trade-in and CRM can act on it)."""

    OCCURRED_AT = "suggested_at"

    ticket_id: TicketId
    customer_id: CustomerId | None = None
    market: Market
    device: RepairedDevice
    repair_estimate: PositiveMoney
    resale_value: PositiveMoney
    suggested_at: UtcDatetime


# --- parts (repair.parts.v1, key part_sku) --------------------------------------------------------------


class PartsBelowReorderPoint(Event):
    """A centre's stock of a part fell to its reorder point: time to order more."""

    OCCURRED_AT = "at"

    part_sku: Sku
    centre_id: LocationId
    on_hand: int = Field(ge=0)
    reserved: int = Field(ge=0)
    reorder_point: int = Field(ge=0)
    at: UtcDatetime


SUBSCRIPTIONS = TopicSpec(
    name="repair.subscriptions.v1",
    # For ever: a paid plan's renewals and dunning are money, and CRM rebuilds from them.
    retention_ms=KEPT_FOR_EVER,
    key="subscription_id",
    events=(
        SubscriptionStarted,
        SubscriptionRenewed,
        PaymentFailed,
        SubscriptionPastDue,
        SubscriptionSuspended,
        SubscriptionReactivated,
        SubscriptionCancelled,
        SubscriptionExpired,
    ),
    producers=("repair",),
    consumers=("crm",),
    description="Each repair subscription from start through renewals and dunning to its end, keyed by subscription.",
)

TICKETS = TopicSpec(
    name="repair.tickets.v1",
    # For ever: a customer's device in our workshop, and CRM rebuilds from it.
    retention_ms=KEPT_FOR_EVER,
    key="ticket_id",
    events=(
        RepairTicketOpened,
        RepairDiagnosed,
        RepairQuoted,
        RepairQuoteAnswered,
        RepairProgressed,
        RepairCompleted,
        RepairReturned,
        TradeInSuggested,
    ),
    producers=("repair",),
    consumers=("crm",),
    description="Each repair ticket from intake through the workshop back to its owner, keyed by ticket id.",
)

PARTS = TopicSpec(
    name="repair.parts.v1",
    # A notification, kept a week: a reorder signal is stale within days; the stock lives in
    # repair's database.
    retention_ms=A_WEEK_MS,
    key="part_sku",
    events=(PartsBelowReorderPoint,),
    producers=("repair",),
    # The reorder signal is for whoever buys parts from suppliers, outside this repository.
    published_for=("parts purchasing",),
    description="Repair centres' parts falling to their reorder point, keyed by part SKU.",
)

TOPICS: tuple[TopicSpec, ...] = (SUBSCRIPTIONS, TICKETS, PARTS)
