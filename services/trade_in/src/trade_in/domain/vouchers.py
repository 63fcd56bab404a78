"""Store-credit vouchers: what a voucher is, what is asked of it, what it answers and what happened.

The voucher itself holds no balance: its ledger (`voucher_ledger`) does, as the sum of its entries.
Events and commands live here rather than in `events.py`/`commands.py`, which speak of trade-ins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeAlias

from reloop_contracts.amounts import Money
from reloop_shared.errors import DomainError, ErrorKind

Channel = Literal["online", "own_shop", "partner_shop"]
Requester = Literal["orders", "store-sync"]
HoldRefusal = Literal["unknown_code", "expired", "wrong_currency", "insufficient_balance"]
Shortfall = Literal["insufficient_balance", "expired", "wrong_currency", "hold_already_redeemed", "unknown_code"]
ReleaseReason = Literal["expired", "cancelled"]
EntryKind = Literal["issue", "hold", "release", "redeem", "refund", "expire"]
RefundShortfallReason = Literal["unknown_code", "exceeds_redeemed", "wrong_currency"]

UNKNOWN_VOUCHER = "unknown"
"""The voucher id of a refusal for a code no voucher has: the vouchers topic is keyed by voucher id
and a key is never empty, so such refusals share this one key (and partition)."""


@dataclass(frozen=True)
class Entry:
    """One line of a voucher's ledger. `amount` is a magnitude in the voucher's currency; the kind
    says which way it moves the balance (`voucher_ledger.effect`)."""

    kind: EntryKind
    amount: Money
    at: datetime
    hold_id: str | None = None
    held_until: datetime | None = None
    """Set on a hold: when it is released if no sale converted it."""
    sale_id: str | None = None
    """Set on a redemption: the sale it paid, at most once per voucher (even when it paid nothing,
    so a sale delivered again is recognised); on a refund, the sale whose goods came back."""
    return_id: str | None = None
    """Set on a refund: the return it credits, at most once per voucher (even when it credited
    nothing, so a return delivered again is recognised)."""
    reason: str | None = None
    """Why a release happened, or why a redemption or a refund moved less than was asked."""


@dataclass
class Voucher:
    voucher_id: str
    code_hash: str
    code_hint: str
    market: str
    amount: Money
    """What was issued; the balance is the ledger's sum."""
    issued_at: datetime
    expires_at: datetime
    customer_id: str | None = None
    trade_in_id: str | None = None
    expired_at: datetime | None = None
    entries: list[Entry] = field(default_factory=list)
    """The ledger entries a decision needs: the whole ledger, or (as the store loads a voucher to
    decide) its open holds and the entries of the holds and sales being decided on."""
    carried_minor: int = 0
    """What the entries left out of `entries` add up to, in minor units: a hot voucher's history
    is not read back for every sale, only its running balance. Zero when `entries` is the whole
    ledger."""

    @property
    def currency(self) -> str:
        return self.amount.currency

    def is_expired(self, at: datetime) -> bool:
        return self.expired_at is not None or at >= self.expires_at


# Commands


@dataclass(frozen=True)
class IssueVoucher:
    market: str
    amount: Money
    expires_at: datetime
    customer_id: str | None = None
    trade_in_id: str | None = None
    """The trade-in paid with it; a trade-in is paid with one voucher at most."""


@dataclass(frozen=True)
class RequestHold:
    hold_id: str
    code_hash: str
    """The voucher asked for, named by its code's hash: the code itself never travels."""
    amount: Money
    market: str
    requested_by: Requester
    held_until: datetime


@dataclass(frozen=True)
class VoucherPayment:
    code_hash: str
    """The voucher paid with, named by its code's hash (`voucher_codes.code_hash`)."""
    amount: Money
    hold_id: str | None = None
    """The hold the checkout or till obtained for this payment, when it got one."""


@dataclass(frozen=True)
class RedeemForSale:
    sale_id: str
    channel: Channel
    shop_id: str | None
    market: str
    basket: Money
    """The sale's total: what the voucher helped buy."""
    payments: tuple[VoucherPayment, ...]
    sold_at: datetime


@dataclass(frozen=True)
class VoucherRefund:
    code_hash: str
    """The voucher credited, named by its code's hash, as the sale's payment named it."""
    amount: Money


@dataclass(frozen=True)
class RefundToVoucher:
    """A return's refund lines paid back as store credit (`ReturnRecorded.refunds`, method voucher)."""

    return_id: str
    sale_id: str
    channel: Channel
    shop_id: str | None
    refunds: tuple[VoucherRefund, ...]
    returned_at: datetime


# Events


@dataclass(frozen=True)
class VoucherIssued:
    voucher_id: str
    trade_in_id: str | None
    customer_id: str | None
    market: str
    amount: Money
    code_hint: str
    expires_at: datetime
    at: datetime


@dataclass(frozen=True)
class VoucherHeld:
    voucher_id: str
    hold_id: str
    amount: Money
    held_until: datetime
    requested_by: Requester
    at: datetime


@dataclass(frozen=True)
class VoucherHoldRefused:
    hold_id: str
    voucher_id: str
    """`UNKNOWN_VOUCHER` when no voucher has the code."""
    reason: HoldRefusal
    requested_by: Requester
    at: datetime


@dataclass(frozen=True)
class VoucherReleased:
    voucher_id: str
    hold_id: str
    amount: Money
    reason: ReleaseReason
    at: datetime


@dataclass(frozen=True)
class VoucherRedeemed:
    voucher_id: str
    amount: Money
    sale_id: str
    channel: Channel
    shop_id: str | None
    basket: Money
    hold_id: str | None
    """The hold this redemption converted: its amount was already off the balance."""
    at: datetime


@dataclass(frozen=True)
class VoucherRefunded:
    voucher_id: str
    amount: Money
    sale_id: str
    return_id: str
    channel: Channel
    shop_id: str | None
    expires_at: datetime
    """The voucher's expiry after the refund: later than before when the refund opened it again."""
    at: datetime


@dataclass(frozen=True)
class VoucherOverdrawn:
    voucher_id: str
    sale_id: str
    wanted: Money
    redeemed: Money
    shortfall: Money
    reason: Shortfall
    channel: Channel
    shop_id: str | None
    at: datetime


@dataclass(frozen=True)
class VoucherExpired:
    voucher_id: str
    remaining: Money
    at: datetime


VoucherEvent: TypeAlias = (
    VoucherIssued
    | VoucherHeld
    | VoucherHoldRefused
    | VoucherReleased
    | VoucherRedeemed
    | VoucherRefunded
    | VoucherOverdrawn
    | VoucherExpired
)


@dataclass(frozen=True)
class RefundShortfall:
    """Store credit a return asked for and did not get: a return never mints credit. Not an event
    (no contract tells it): a record kept for finance, since the customer is owed the rest by the
    producer of the return's other means."""

    return_id: str
    sale_id: str
    code_hash: str
    voucher_id: str | None
    """None when no voucher has the code."""
    asked: Money
    credited: Money
    reason: RefundShortfallReason
    at: datetime


# Refusals


class VoucherNotFound(DomainError):
    kind = ErrorKind.NOT_FOUND


class InvalidVoucher(DomainError):
    """An issue the rules refuse: no amount, a currency the market does not pay in, a past expiry."""


class VoucherAlreadyIssued(DomainError):
    """The trade-in was already paid with a voucher."""

    kind = ErrorKind.CONFLICT
