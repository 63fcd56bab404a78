"""Refunds onto vouchers: goods paid with store credit came back, and the credit goes back on the
voucher that paid for them. Pure, like the rest of the ledger: the vouchers in, the changes out.

The rule: a voucher gets back at most what it paid for that sale less what earlier returns of that
sale already put back on it, so a return can never mint store credit. What fits is credited; the
rest is a `RefundShortfall` for finance (the return's producer owes it by other means), never a
dead letter, since the return itself is a fact. A return credits a voucher once, however often it
is delivered. A refund opens an expired voucher again, and moves any expiry to at least the refund
validity from now: a refund is never lost to an expiry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from reloop_contracts.amounts import Money
from trade_in.domain import voucher_ledger as ledger
from trade_in.domain.voucher_ledger import Change
from trade_in.domain.vouchers import (
    UNKNOWN_VOUCHER,
    Entry,
    RedeemForSale,
    RefundShortfall,
    RefundShortfallReason,
    RefundToVoucher,
    Voucher,
    VoucherRefunded,
)


def refundable(voucher: Voucher, sale_id: str) -> Money:
    """What the voucher may still get back from this sale: what it paid for it (a shortfall paid
    less, and counts as less) less what returns of the sale already credited."""
    paid = sum(e.amount.amount_minor for e in voucher.entries if e.kind == "redeem" and e.sale_id == sale_id)
    back = sum(e.amount.amount_minor for e in voucher.entries if e.kind == "refund" and e.sale_id == sale_id)
    return Money(max(paid - back, 0), voucher.currency)


def refund(vouchers: Mapping[str, Voucher], cmd: RefundToVoucher, at: datetime, validity: timedelta) -> list[Change]:
    """Credit a return's voucher refund lines. `vouchers` are those the lines name, by code hash;
    decided in voucher id order, the order the repository locks them in. A code no voucher has is
    a shortfall under `UNKNOWN_VOUCHER`, with nothing to append to."""
    wanted: dict[str, Money] = {}
    for line in cmd.refunds:
        earlier = wanted.get(line.code_hash)
        wanted[line.code_hash] = line.amount if earlier is None else earlier + line.amount
    known = sorted(((vouchers[h], a) for h, a in wanted.items() if h in vouchers), key=lambda va: va[0].voucher_id)
    changes = [_refund_one(voucher, asked, cmd, at, validity) for voucher, asked in known]
    for digest, asked in wanted.items():
        if digest not in vouchers:
            missing = _shortfall(cmd, digest, None, asked, Money.zero(asked.currency), "unknown_code", at)
            changes.append(Change(UNKNOWN_VOUCHER, shortfalls=(missing,)))
    return changes


def sales_and_returns_in_order(
    vouchers: Mapping[str, Voucher],
    cmds: Sequence[RedeemForSale | RefundToVoucher],
    at: datetime,
    validity: timedelta,
) -> list[list[Change]]:
    """A consumer batch's sales and returns decided one after the other on the same vouchers,
    loaded once: a return sees what the sale before it redeemed, a sale sees the credit and the
    expiry a return before it gave back. Returns each command's changes, in the order of `cmds`;
    the vouchers given are brought up to date as it goes."""
    by_id = {voucher.voucher_id: voucher for voucher in vouchers.values()}
    decided = []
    for cmd in cmds:
        if isinstance(cmd, RedeemForSale):
            changes = ledger.redeem(vouchers, cmd, at)
        else:
            changes = refund(vouchers, cmd, at, validity)
        for change in changes:
            if change.voucher_id in by_id:
                _apply(by_id[change.voucher_id], change)
        decided.append(changes)
    return decided


def _apply(voucher: Voucher, change: Change) -> None:
    voucher.entries.extend(change.entries)
    if change.expires_at is not None:
        voucher.expires_at, voucher.expired_at = change.expires_at, None


def _refund_one(voucher: Voucher, asked: Money, cmd: RefundToVoucher, at: datetime, validity: timedelta) -> Change:
    if any(e.kind == "refund" and e.return_id == cmd.return_id for e in voucher.entries):
        return Change(voucher.voucher_id)
    reason: RefundShortfallReason | None = None
    if asked.currency != voucher.currency:
        credited, reason = Money.zero(voucher.currency), "wrong_currency"
    else:
        credited = Money(min(asked.amount_minor, refundable(voucher, cmd.sale_id).amount_minor), voucher.currency)
        reason = "exceeds_redeemed" if credited.amount_minor < asked.amount_minor else None
    # Written even when it credits nothing: the return is then recognised when delivered again.
    entry = Entry("refund", credited, at, sale_id=cmd.sale_id, return_id=cmd.return_id, reason=reason)
    shortfalls = () if reason is None else (_shortfall(cmd, voucher.code_hash, voucher, asked, credited, reason, at),)
    if not credited.amount_minor:
        return Change(voucher.voucher_id, (entry,), shortfalls=shortfalls)
    expires_at = max(voucher.expires_at, at + validity)
    moved = expires_at if expires_at != voucher.expires_at or voucher.expired_at is not None else None
    event = VoucherRefunded(
        voucher.voucher_id, credited, cmd.sale_id, cmd.return_id, cmd.channel, cmd.shop_id, expires_at, cmd.returned_at
    )
    return Change(voucher.voucher_id, (entry,), (event,), expires_at=moved, shortfalls=shortfalls)


def _shortfall(
    cmd: RefundToVoucher,
    digest: str,
    voucher: Voucher | None,
    asked: Money,
    credited: Money,
    reason: RefundShortfallReason,
    at: datetime,
) -> RefundShortfall:
    voucher_id = voucher.voucher_id if voucher is not None else None
    return RefundShortfall(cmd.return_id, cmd.sale_id, digest, voucher_id, asked, credited, reason, at)
