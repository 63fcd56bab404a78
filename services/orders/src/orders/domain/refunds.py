"""Who a refund goes back to: store credit onto the order's vouchers first, the card for the rest.

A voucher takes back at most what it paid for the order less what earlier refunds already put back
on it, so no number of returns ever puts more on a voucher than it paid; vouchers are credited in
the order they were applied at checkout. Amounts are integer minor units: nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from orders.domain.vouchers import VoucherPayment
from reloop_contracts.amounts import Money, total


@dataclass(frozen=True)
class VoucherCredit:
    """Part of a refund put back on one voucher, named as the sale named it (hash and hold)."""

    hold_id: str
    code_hash: str
    amount: Money


@dataclass(frozen=True)
class RefundSplit:
    amount: Money
    vouchers: tuple[VoucherCredit, ...]

    @property
    def store_credit(self) -> Money:
        return total([credit.amount for credit in self.vouchers], self.amount.currency)

    @property
    def card(self) -> Money:
        """What goes back the way the rest was paid: the card."""
        return self.amount - self.store_credit


def split_refund(amount: Money, vouchers: Sequence[VoucherPayment]) -> RefundSplit:
    left, credits = amount.amount_minor, []
    for voucher in vouchers:
        share = min(voucher.refundable.amount_minor, left)
        if share > 0:
            credits.append(VoucherCredit(voucher.hold_id, voucher.code_hash, Money(share, amount.currency)))
            left -= share
    return RefundSplit(amount, tuple(credits))
