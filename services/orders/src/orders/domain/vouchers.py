"""Store-credit vouchers paying (part of) an online order: the rules, and each voucher's hold.

Trade-in keeps the vouchers; orders only asks it to hold an amount of one (`VoucherHoldRequested`)
and waits for the answer. The code the customer typed is hashed at once: the order keeps the hash
(what trade-in knows the voucher by) and the last four characters (what the customer recognises
it by), never the code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from orders.domain.errors import InvalidCheckout, WrongState
from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import normalised_voucher_code, voucher_code_hash

MAX_VOUCHERS = 3
"""Vouchers one checkout may use: a few, as at a till; each is one request to trade-in."""

HINT_LENGTH = 4

VOUCHER_ANSWER_TIMEOUT = timedelta(seconds=30)
"""How long a checkout waits for trade-in's answers before it gives up (ORDERS_VOUCHER_HOLD_TIMEOUT_S)."""


class VoucherState(StrEnum):
    REQUESTED = "requested"
    HELD = "held"
    REFUSED = "refused"


@dataclass(frozen=True)
class VoucherToApply:
    """A voucher as a checkout names it: already hashed, the code itself dropped here."""

    code_hash: str
    hint: str
    amount: Money

    @classmethod
    def typed(cls, code: str, amount: Money) -> VoucherToApply:
        return cls(voucher_code_hash(code), normalised_voucher_code(code)[-HINT_LENGTH:], amount)


@dataclass
class VoucherPayment:
    """One voucher of an order and where its hold stands."""

    hold_id: str
    code_hash: str
    hint: str
    amount: Money
    state: VoucherState = VoucherState.REQUESTED
    voucher_id: str | None = None
    refusal: str | None = None
    held_until: datetime | None = None
    answered_at: datetime | None = None
    paid: Money | None = None
    """What the sale took of it (its share of the total when the order was placed); None before."""
    refunded: Money | None = None
    """Store credit refunds of the order's goods put back on it so far; None while nothing was."""

    @property
    def refundable(self) -> Money:
        """What a refund may still put back on it: what it paid less what is back already."""
        paid = self.paid.amount_minor if self.paid is not None else 0
        back = self.refunded.amount_minor if self.refunded is not None else 0
        return Money(paid - back, self.amount.currency)

    def credited(self, amount: Money) -> None:
        if amount.amount_minor > self.refundable.amount_minor:
            raise WrongState(f"voucher hold {self.hold_id} cannot take back more than it paid", field="vouchers")
        self.refunded = amount if self.refunded is None else self.refunded + amount

    def held(self, voucher_id: str, held_until: datetime, now: datetime) -> None:
        self.state, self.voucher_id, self.held_until, self.answered_at = VoucherState.HELD, voucher_id, held_until, now

    def refused(self, voucher_id: str, reason: str, now: datetime) -> None:
        self.state, self.voucher_id, self.refusal, self.answered_at = VoucherState.REFUSED, voucher_id, reason, now


def hold_id(order_id: str, position: int) -> str:
    """Orders names each hold it asks for: the order and the voucher's place in it (at most 64 characters)."""
    return f"{order_id}:voucher:{position + 1}"


def check_vouchers(vouchers: Sequence[VoucherToApply], order_total: Money) -> None:
    """A few vouchers, each once, in the order's currency, together worth no more than the order."""
    if len(vouchers) > MAX_VOUCHERS:
        raise InvalidCheckout(f"a checkout takes at most {MAX_VOUCHERS} vouchers", field="vouchers")
    if len({v.code_hash for v in vouchers}) != len(vouchers):
        raise InvalidCheckout("the same voucher is given twice", field="vouchers")
    for voucher in vouchers:
        if voucher.amount.currency != order_total.currency:
            raise InvalidCheckout(
                f"a voucher pays in the order's currency, {order_total.currency}", field="vouchers.amount.currency"
            )
        if voucher.amount.amount_minor <= 0:
            raise InvalidCheckout("a voucher pays a positive amount", field="vouchers.amount.amount_minor")
    if sum(v.amount.amount_minor for v in vouchers) > order_total.amount_minor:
        raise InvalidCheckout("the vouchers come to more than the order", field="vouchers")


def voucher_shares(vouchers: Sequence[VoucherPayment], order_total: Money) -> list[tuple[VoucherPayment, Money]]:
    """What each voucher pays of the order now. At checkout they never exceed it; a line dropped
    before the sale can lower the total below them: then the last vouchers pay less than was held,
    rather than the card less than nothing (the sale names what each paid; the hold is trade-in's)."""
    left, shares = order_total.amount_minor, []
    for voucher in vouchers:
        share = min(voucher.amount.amount_minor, left)
        left -= share
        if share > 0:
            shares.append((voucher, Money(share, order_total.currency)))
    return shares
