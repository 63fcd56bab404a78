"""Trade-in: devices bought back from customers, and the store-credit vouchers paid for them.

Two topics produced by trade-in alone, and the hold requests it answers. `trade-in.trade-ins.v1`
(key `trade_in_id`) follows a trade-in from its quote to its payout, a return to the customer, or
the refurbished unit inventory receives. `trade-in.vouchers.v1` (key `voucher_id`) is each
voucher's ledger told as facts: issued, held, released, redeemed, refunded, overdrawn, expired;
its balance is the sum of those amounts.
`vouchers.hold-requests.v1` (key `code_hash`) carries the checkouts' and tills' requests to hold
part of a balance; trade-in answers each on the vouchers topic.

Personal data: none beyond `customer_id`, the pseudonymous online account id (as in orders). A
voucher code never travels: only its SHA-256 (`voucher_codes.voucher_code_hash`) and its last four
characters (`code_hint`); the code itself reaches the customer in the API answer that issued it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.coherence import after, in_the_markets_currency, one_currency, shop_named_for_a_shop_channel
from reloop_contracts.common import Category, Channel, Grade, LocationId, Sku, UnitId
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.money import Market, NonNegativeMoney, PositiveMoney
from reloop_contracts.registry import A_WEEK_MS, KEPT_FOR_EVER, TopicSpec
from reloop_contracts.store import PayoutMethod as ShopPayoutMethod
from reloop_contracts.voucher_codes import CodeHash

TradeInId = Annotated[str, Field(min_length=1, max_length=64)]
VoucherId = Annotated[str, Field(min_length=1, max_length=64)]
HoldId = Annotated[str, Field(min_length=1, max_length=64)]
# Ids taken from another topic's event keep that event's bounds, so every one of them fits here.
SaleId = Annotated[str, Field(min_length=1, description="The sale's id on sales.transactions.v1.")]
DropOffId = Annotated[str, Field(min_length=1, description="The drop-off's id on store.drop-offs.v1.")]
CustomerId = Annotated[str, Field(min_length=1, max_length=128, description="Online account id (pseudonymous).")]
Actor = Annotated[str, Field(min_length=1, max_length=128, description="Staff subject, or the customer's account id.")]
Finding = Annotated[str, Field(min_length=1, max_length=200)]

TradeInPayoutMethod = Literal["bank_transfer", "voucher"]
"""How a mailed-in trade-in is paid: a bank transfer, or a store-credit voucher worth more."""

HoldReason = Literal["deny_listed", "activation_lock", "identity_mismatch"]
"""Why a trade-in waits: a stolen or blacklisted device, a lock still on, another device than quoted."""

HoldRefusal = Literal["unknown_code", "expired", "insufficient_balance", "wrong_currency"]
"""Why a voucher hold was refused. Consumers must expect values added later within the version."""

ReleaseReason = Literal["expired", "cancelled"]
HoldRequester = Literal["orders", "store-sync"]
ScreenCondition = Literal["flawless", "light_scratches", "deep_scratches", "cracked"]
BodyCondition = Literal["flawless", "light_scratches", "dents", "broken"]

UNKNOWN_VOUCHER = "unknown"
"""The `voucher_id` of a hold refused for a code that matches no voucher (see `VoucherHoldRefused`)."""

CodeHint = Annotated[
    str,
    Field(
        pattern=r"^[A-HJ-NP-Z2-9]{4}$",
        description="The code's last four characters, to tell vouchers apart; never the code itself.",
    ),
]


# --- the trade-in's life (trade-in.trade-ins.v1, key trade_in_id) ---------------------------------


class ConditionAnswers(Contract):
    """The customer's answers to the condition questionnaire."""

    screen: ScreenCondition
    body: BodyCondition
    battery_health_pct: int | None = Field(
        default=None, ge=0, le=100, description="Battery health the device reports; null when unknown."
    )
    powers_on: bool
    functional_checks_passed: bool = Field(description="Buttons, cameras, speakers, sensors all work.")
    activation_lock_removed: bool = Field(description="Find My / the account lock is off.")


class DeclaredCondition(Contract):
    grade: Grade = Field(description="The grade the answers amount to.")
    answers: ConditionAnswers


class QuotedDevice(Contract):
    model_family: str = Field(min_length=1, max_length=64, description="The catalog product id of the model.")
    storage_gb: int | None = Field(default=None, ge=1, le=65536, description="Null for a device without storage.")
    category: Category
    identifier: DeviceIdentifier | None = Field(default=None, description="IMEI or serial, when given at quote.")
    declared_condition: DeclaredCondition


class TradeInQuoted(Event):
    """A price was offered for a device and locked in its currency until `expires_at`."""

    OCCURRED_AT = "quoted_at"

    trade_in_id: TradeInId
    quote_id: TradeInId = Field(description="The quote the trade-in started from (today the trade-in's own id).")
    market: Market
    customer_id: CustomerId | None = Field(default=None, description="Null for an anonymous quote at a shop.")
    channel: Channel
    shop_id: LocationId | None = Field(default=None, description="The shop that quoted; null online.")
    device: QuotedDevice
    offered: NonNegativeMoney
    voucher_bonus_bps: int = Field(
        ge=0, le=10_000, description="Extra paid when taken as a voucher, in basis points (1000 = +10%)."
    )
    expires_at: UtcDatetime = Field(description="The device must be sent in (accepted) before then.")
    quoted_at: UtcDatetime

    @model_validator(mode="after")
    def _a_quote_is_coherent(self) -> TradeInQuoted:
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "trade-in or redemption")
        in_the_markets_currency(self.market, self.offered)
        after(self.expires_at, self.quoted_at, "a quote expires after it was made")
        return self


class TradeInAccepted(Event):
    """The customer took the offer and chose how to be paid; a mailed device may be on its way."""

    OCCURRED_AT = "accepted_at"

    trade_in_id: TradeInId
    payout_method: TradeInPayoutMethod
    shipment_reference: str | None = Field(
        default=None, min_length=1, max_length=128, description="The parcel's carrier reference, once known."
    )
    accepted_at: UtcDatetime


class TradeInShipped(Event):
    """The device is on its way to a refurbishment centre: mailed by the customer (the parcel's
    reference), or handed over at a shop that collects it for the centre (the shop and its
    drop-off on `store.drop-offs.v1`; the shop pays nothing, the centre inspects and pays)."""

    OCCURRED_AT = "shipped_at"

    trade_in_id: TradeInId
    shipment_reference: str | None = Field(
        default=None, min_length=1, max_length=128, description="The parcel's carrier reference, when mailed."
    )
    shop_id: LocationId | None = Field(default=None, description="The shop that collected it, when handed over.")
    drop_off_id: DropOffId | None = None
    shipped_at: UtcDatetime

    @model_validator(mode="after")
    def _mailed_or_handed_over(self) -> TradeInShipped:
        mailed = self.shipment_reference is not None
        handed_over = self.shop_id is not None and self.drop_off_id is not None
        if mailed == handed_over:
            raise ValueError("a device is either mailed (shipment_reference) or handed over (shop_id, drop_off_id)")
        return self


class DeviceReceived(Event):
    """The device arrived at a refurbishment centre; its identity was read from the device itself."""

    OCCURRED_AT = "received_at"

    trade_in_id: TradeInId
    location_id: LocationId
    identifier: DeviceIdentifier
    tac: str | None = Field(
        default=None, pattern=r"^[0-9]{8}$", description="Type Allocation Code: an IMEI's first 8 digits."
    )
    received_at: UtcDatetime

    @model_validator(mode="after")
    def _a_tac_is_the_start_of_the_imei(self) -> DeviceReceived:
        if self.tac is not None and not (self.identifier.kind == "imei" and self.identifier.value.startswith(self.tac)):
            raise ValueError("a TAC is the first 8 digits of the device's IMEI")
        return self


class TradeInOnHold(Event):
    """The trade-in waits for the customer (or staff) to clear a problem; it is not rejected."""

    OCCURRED_AT = "held_at"

    trade_in_id: TradeInId
    reason: HoldReason
    detail: str = Field(min_length=1, max_length=500, description="What was found, without personal data.")
    held_at: UtcDatetime


class TradeInReleased(Event):
    """The hold was cleared; the trade-in resumes where it stopped."""

    OCCURRED_AT = "released_at"

    trade_in_id: TradeInId
    released_by: Actor
    released_at: UtcDatetime


class DeviceInspected(Event):
    """The centre graded the device; `worse_than_declared` leads to a counter-offer."""

    OCCURRED_AT = "inspected_at"

    trade_in_id: TradeInId
    grade: Grade
    findings: list[Finding] = Field(default_factory=list, max_length=50)
    inspected_by: Actor
    worse_than_declared: bool
    inspected_at: UtcDatetime


class CounterOfferMade(Event):
    """A lower price, with the findings that justify it; the customer answers before `answer_by`."""

    OCCURRED_AT = "made_at"

    trade_in_id: TradeInId
    offered: NonNegativeMoney = Field(description="The new price, lower than the quote's.")
    findings: list[Finding] = Field(min_length=1, max_length=50)
    answer_by: UtcDatetime = Field(description="After this, the configured default answer applies.")
    made_at: UtcDatetime

    @model_validator(mode="after")
    def _the_customer_has_time_to_answer(self) -> CounterOfferMade:
        after(self.answer_by, self.made_at, "a counter-offer is answered after it was made")
        return self


class CounterOfferAnswered(Event):
    """Accepted: payout follows at the new price. Declined: the device goes back at no cost."""

    OCCURRED_AT = "answered_at"

    trade_in_id: TradeInId
    accepted: bool
    by_default: bool = Field(description="The customer did not answer in time; the configured default applied.")
    answered_at: UtcDatetime


class TradeInPaid(Event):
    """The customer was paid: a bank transfer through the payout provider, or a voucher issued."""

    OCCURRED_AT = "paid_at"

    trade_in_id: TradeInId
    method: TradeInPayoutMethod
    amount: NonNegativeMoney
    voucher_id: VoucherId | None = Field(default=None, description="The voucher issued, for a voucher payout.")
    payout_reference: str | None = Field(
        default=None, min_length=1, max_length=128, description="The payout provider's reference of the transfer."
    )
    paid_at: UtcDatetime

    @model_validator(mode="after")
    def _a_voucher_payout_names_its_voucher(self) -> TradeInPaid:
        if (self.method == "voucher") != (self.voucher_id is not None):
            raise ValueError("a voucher payout names its voucher, and only a voucher payout does")
        return self


class DeviceReturned(Event):
    """The device was sent back to the customer (a declined counter-offer, an unresolved hold)."""

    OCCURRED_AT = "returned_at"

    trade_in_id: TradeInId
    reason: str = Field(min_length=1, max_length=200)
    returned_at: UtcDatetime


class TradeInExpired(Event):
    """The quote ran out before the customer accepted or the device arrived."""

    OCCURRED_AT = "expired_at"

    trade_in_id: TradeInId
    expired_at: UtcDatetime


class TradeInCancelled(Event):
    """The customer or staff called the trade-in off before payout."""

    OCCURRED_AT = "cancelled_at"

    trade_in_id: TradeInId
    by: Actor
    cancelled_at: UtcDatetime


class ShopTradeInRecorded(Event):
    """A trade-in settled at a shop (from `TradeInDroppedOff`): graded and paid there, on the spot."""

    OCCURRED_AT = "recorded_at"

    trade_in_id: TradeInId
    drop_off_id: DropOffId
    shop_id: LocationId
    paid: NonNegativeMoney
    payout_method: ShopPayoutMethod
    recorded_at: UtcDatetime


class ShopGradingChecked(Event):
    """The centre re-graded a shop's trade-in. A worse grade never claws money back from the
    customer; it counts against the shop's grading accuracy."""

    OCCURRED_AT = "checked_at"

    trade_in_id: TradeInId
    shop_id: LocationId
    shop_grade: Grade
    centre_grade: Grade
    accurate: bool
    checked_at: UtcDatetime


class TradeInUnitReady(Event):
    """The refurbished device is ready for sale: inventory receives it as a unit of trade-in origin."""

    OCCURRED_AT = "ready_at"

    trade_in_id: TradeInId
    unit_id: UnitId
    sku: Sku
    identifier: DeviceIdentifier
    grade: Grade
    acquired_for: NonNegativeMoney = Field(description="What reloop paid for it, for the resale margin.")
    ready_at: UtcDatetime


# --- vouchers (trade-in.vouchers.v1, key voucher_id) ----------------------------------------------


class VoucherIssued(Event):
    """Store credit usable online and in every shop of markets paid in its currency, until it expires."""

    OCCURRED_AT = "issued_at"

    voucher_id: VoucherId
    trade_in_id: TradeInId | None = Field(default=None, description="The trade-in it paid; null if issued by hand.")
    customer_id: CustomerId | None = None
    market: Market
    amount: PositiveMoney
    code_hint: CodeHint
    expires_at: UtcDatetime
    issued_at: UtcDatetime

    @model_validator(mode="after")
    def _a_voucher_is_coherent(self) -> VoucherIssued:
        in_the_markets_currency(self.market, self.amount)
        after(self.expires_at, self.issued_at, "a voucher expires after it was issued")
        return self


class VoucherHoldRequested(Event):
    """A checkout (orders) or a connected till (store-sync) asks to set an amount of a voucher aside.

    Services never call each other: the requester publishes this with a `hold_id` it generated,
    trade-in decides against the ledger and answers `VoucherHeld` or `VoucherHoldRefused` with
    that `hold_id` on `trade-in.vouchers.v1`, and the requester waits for the answer with a
    timeout. The code travels as its hash only. Asking again with the same `hold_id` gets the
    same answer, never a second hold.
    """

    OCCURRED_AT = "requested_at"

    hold_id: HoldId = Field(description="Generated by the requester; it matches the answer by it.")
    code_hash: CodeHash
    amount: PositiveMoney
    market: Market = Field(description="Where the voucher would be spent: its currency must be the voucher's.")
    requested_by: HoldRequester
    shop_id: LocationId | None = Field(default=None, description="The shop whose till asks; null online.")
    reference: str | None = Field(
        default=None, max_length=128, description="The requester's own id for it: the order, the till transaction."
    )
    requested_at: UtcDatetime

    @model_validator(mode="after")
    def _a_request_is_coherent(self) -> VoucherHoldRequested:
        in_the_markets_currency(self.market, self.amount)
        if (self.requested_by == "store-sync") != (self.shop_id is not None):
            raise ValueError("a till's request names its shop (shop_id), and only a till's")
        return self


class VoucherHeld(Event):
    """Part of the balance is set aside for a checkout or a till until `held_until`."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    hold_id: HoldId
    amount: PositiveMoney
    held_until: UtcDatetime = Field(description="Released by itself if no sale redeems it by then.")
    requested_by: HoldRequester
    at: UtcDatetime

    @model_validator(mode="after")
    def _a_hold_lasts(self) -> VoucherHeld:
        after(self.held_until, self.at, "a hold ends after it was taken")
        return self


class VoucherHoldRefused(Event):
    """A hold request was refused; the requester reads why.

    The topic is keyed by voucher: a code that matches no voucher has none, so its refusal carries
    `voucher_id` "unknown" (`UNKNOWN_VOUCHER`, reason `unknown_code`) and every such refusal lands on
    one partition, which is all its requesters need (they match replies by `hold_id`).
    """

    OCCURRED_AT = "at"

    hold_id: HoldId
    voucher_id: VoucherId = Field(description='The voucher; "unknown" when the code matches none.')
    reason: HoldRefusal
    requested_by: HoldRequester | None = Field(
        default=None, description="Who asked (null in refusals written before requests travelled as events)."
    )
    at: UtcDatetime

    @model_validator(mode="after")
    def _only_an_unknown_code_has_no_voucher(self) -> VoucherHoldRefused:
        if (self.reason == "unknown_code") != (self.voucher_id == UNKNOWN_VOUCHER):
            raise ValueError(f'an unknown code, and only one, is refused for voucher_id "{UNKNOWN_VOUCHER}"')
        return self


class VoucherReleased(Event):
    """A hold ended without a sale; its amount is back in the balance."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    hold_id: HoldId
    amount: PositiveMoney
    reason: ReleaseReason
    at: UtcDatetime


class VoucherRedeemed(Event):
    """A sale paid with the voucher (a payment line of `SaleRecorded`, from any channel)."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    amount: PositiveMoney
    sale_id: SaleId
    channel: Channel
    shop_id: LocationId | None = None
    basket: NonNegativeMoney = Field(description="The sale's total, for the basket-to-voucher figures.")
    hold_id: HoldId | None = Field(
        default=None,
        description="The hold this redemption converted, if any: a balance rebuilt from the events then "
        "counts the held amount once, not once held and once redeemed.",
    )
    at: UtcDatetime

    @model_validator(mode="after")
    def _a_redemption_fits_its_sale(self) -> VoucherRedeemed:
        one_currency(self.amount, self.basket)
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "trade-in or redemption")
        if self.amount.amount_minor > self.basket.amount_minor:
            raise ValueError("a voucher pays at most the sale's total")
        return self


class VoucherRefunded(Event):
    """Goods paid with the voucher came back: the refund is store credit again, on the same voucher
    (a `ReturnRecorded` refund line naming it). A voucher that had expired is opened again until
    `expires_at`, so a refund is never lost to an expiry."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    amount: PositiveMoney
    sale_id: SaleId
    return_id: str = Field(min_length=1, description="The return's id on sales.transactions.v1.")
    channel: Channel
    shop_id: LocationId | None = None
    expires_at: UtcDatetime = Field(description="The voucher's expiry after the refund (later, if it had expired).")
    at: UtcDatetime

    @model_validator(mode="after")
    def _a_refund_is_coherent(self) -> VoucherRefunded:
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "trade-in or redemption")
        after(self.expires_at, self.at, "a refunded voucher expires after the refund")
        return self


class VoucherOverdrawn(Event):
    """A sale (an offline till) took more than the balance: what was redeemed, and what finance
    must recover. The balance never goes negative and nothing is dropped in silence."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    sale_id: SaleId
    wanted: PositiveMoney
    redeemed: NonNegativeMoney
    shortfall: PositiveMoney
    channel: Channel
    shop_id: LocationId | None = None
    reason: str = Field(
        default="",
        max_length=200,
        description="Why the balance fell short (spent, expired, unknown code, another currency), for finance.",
    )
    at: UtcDatetime

    @model_validator(mode="after")
    def _wanted_is_redeemed_plus_shortfall(self) -> VoucherOverdrawn:
        one_currency(self.wanted, self.redeemed, self.shortfall)
        shop_named_for_a_shop_channel(self.channel, self.shop_id, "trade-in or redemption")
        if self.redeemed.amount_minor + self.shortfall.amount_minor != self.wanted.amount_minor:
            raise ValueError("wanted is what was redeemed plus the shortfall")
        return self


class VoucherExpired(Event):
    """The voucher ran out; what was left is no longer spendable."""

    OCCURRED_AT = "at"

    voucher_id: VoucherId
    remaining: NonNegativeMoney
    at: UtcDatetime


TRADE_INS = TopicSpec(
    name="trade-in.trade-ins.v1",
    # For ever: each trade-in is a purchase from a customer.
    retention_ms=KEPT_FOR_EVER,
    key="trade_in_id",
    events=(
        TradeInQuoted,
        TradeInAccepted,
        TradeInShipped,
        DeviceReceived,
        TradeInOnHold,
        TradeInReleased,
        DeviceInspected,
        CounterOfferMade,
        CounterOfferAnswered,
        TradeInPaid,
        DeviceReturned,
        TradeInExpired,
        TradeInCancelled,
        ShopTradeInRecorded,
        ShopGradingChecked,
        TradeInUnitReady,
    ),
    producers=("trade-in",),
    consumers=("inventory", "crm"),
    description="Each trade-in from quote to payout, return or refurbished unit, keyed by trade-in id.",
)

VOUCHERS = TopicSpec(
    name="trade-in.vouchers.v1",
    # For ever: store credit is money; the ledger's facts are the record.
    retention_ms=KEPT_FOR_EVER,
    key="voucher_id",
    events=(
        VoucherIssued,
        VoucherHeld,
        VoucherHoldRefused,
        VoucherReleased,
        VoucherRedeemed,
        VoucherRefunded,
        VoucherOverdrawn,
        VoucherExpired,
    ),
    producers=("trade-in",),
    consumers=("crm", "orders", "store-sync"),
    description="Store-credit vouchers' ledger as facts (issue, hold, release, redeem, refund, expire), keyed by "
    "voucher id.",
)

HOLD_REQUESTS = TopicSpec(
    name="vouchers.hold-requests.v1",
    # Requests, kept a week: answered within seconds; the decision is kept on trade-in.vouchers.v1.
    retention_ms=A_WEEK_MS,
    key="code_hash",
    events=(VoucherHoldRequested,),
    producers=("orders", "store-sync"),
    consumers=("trade-in",),
    description="Requests to hold part of a voucher's balance for a checkout or a till, keyed by the code's "
    "hash so one voucher's requests are decided in the order they were asked; the answers are on "
    "trade-in.vouchers.v1.",
)

TOPICS: tuple[TopicSpec, ...] = (TRADE_INS, VOUCHERS, HOLD_REQUESTS)
