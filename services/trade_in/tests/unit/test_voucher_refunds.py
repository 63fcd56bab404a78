"""The refund rules, on plain vouchers and a plain datetime: what a return may put back on a voucher,
once, and how a refund opens an expired voucher again."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from reloop_contracts.amounts import Money
from trade_in.domain import voucher_ledger as ledger
from trade_in.domain.voucher_codes import code_hash, code_hint
from trade_in.domain.voucher_refunds import refund, refundable, sales_and_returns_in_order
from trade_in.domain.vouchers import (
    UNKNOWN_VOUCHER,
    RedeemForSale,
    RefundShortfall,
    RefundToVoucher,
    Voucher,
    VoucherExpired,
    VoucherPayment,
    VoucherRefund,
    VoucherRefunded,
)

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
LATER = NOW + timedelta(days=3)
VALIDITY = timedelta(days=30)
CODE = "TRD-AAAA-BBBB-CCCC-DDDD"
HASH = code_hash(CODE)


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def a_voucher(amount: int = 20_000, *, expires_in: timedelta = timedelta(days=365)) -> Voucher:
    voucher = Voucher("VCH-1", HASH, code_hint(CODE), "FR", eur(amount), NOW, NOW + expires_in)
    return applied(voucher, ledger.issued(voucher))


def applied(voucher: Voucher, *changes: ledger.Change) -> Voucher:
    """The voucher as the store keeps it after these changes."""
    for change in changes:
        entries = [*voucher.entries, *change.entries]
        voucher = replace(voucher, entries=entries, expired_at=change.expired_at or voucher.expired_at)
        if change.expires_at is not None:
            voucher = replace(voucher, expires_at=change.expires_at, expired_at=None)
    return voucher


def sale(amount: int, sale_id: str = "S-1") -> RedeemForSale:
    return RedeemForSale(sale_id, "own_shop", "PAR-01", "FR", eur(30_000), (VoucherPayment(HASH, eur(amount)),), NOW)


def paid_by(voucher: Voucher, amount: int, sale_id: str = "S-1") -> Voucher:
    return applied(voucher, *ledger.redeem({HASH: voucher}, sale(amount, sale_id), NOW))


def a_return(*amounts: int, return_id: str = "R-1", sale_id: str = "S-1", code: str = HASH) -> RefundToVoucher:
    refunds = tuple(VoucherRefund(code, eur(a)) for a in amounts)
    return RefundToVoucher(return_id, sale_id, "own_shop", "PAR-01", refunds, LATER)


def refunded(change: ledger.Change) -> list[VoucherRefunded]:
    return [e for e in change.events if isinstance(e, VoucherRefunded)]


def test_a_refund_within_what_the_voucher_paid_is_credited_and_told_with_the_vouchers_expiry() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000)
    [change] = refund({HASH: voucher}, a_return(5_000), LATER, VALIDITY)
    assert refunded(change) == [
        VoucherRefunded("VCH-1", eur(5_000), "S-1", "R-1", "own_shop", "PAR-01", voucher.expires_at, LATER)
    ]
    assert (change.expires_at, change.shortfalls) == (None, ())
    assert ledger.balance(applied(voucher, change)) == eur(13_000)


def test_a_refund_over_what_the_voucher_paid_credits_what_fits_and_records_the_rest_for_finance() -> None:
    voucher = paid_by(a_voucher(20_000), 4_000)
    [change] = refund({HASH: voucher}, a_return(7_000), LATER, VALIDITY)
    assert [e.amount for e in refunded(change)] == [eur(4_000)]
    assert change.shortfalls == (
        RefundShortfall("R-1", "S-1", HASH, "VCH-1", eur(7_000), eur(4_000), "exceeds_redeemed", LATER),
    )
    assert ledger.balance(applied(voucher, change)) == eur(20_000)


def test_a_later_return_of_the_same_sale_gets_only_what_earlier_returns_left() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000)
    voucher = applied(voucher, *refund({HASH: voucher}, a_return(5_000, return_id="R-1"), LATER, VALIDITY))
    assert refundable(voucher, "S-1") == eur(7_000)
    [second] = refund({HASH: voucher}, a_return(9_000, return_id="R-2"), LATER, VALIDITY)
    assert [e.amount for e in refunded(second)] == [eur(7_000)]
    assert [(s.asked, s.credited) for s in second.shortfalls] == [(eur(9_000), eur(7_000))]
    [nothing_left] = refund({HASH: applied(voucher, second)}, a_return(100, return_id="R-3"), LATER, VALIDITY)
    assert refunded(nothing_left) == []
    assert [(e.kind, e.amount) for e in nothing_left.entries] == [("refund", eur(0))]


def test_a_refund_of_another_sale_than_the_one_the_voucher_paid_credits_nothing() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000, sale_id="S-1")
    [change] = refund({HASH: voucher}, a_return(5_000, sale_id="S-other"), LATER, VALIDITY)
    assert refunded(change) == []
    assert [s.reason for s in change.shortfalls] == ["exceeds_redeemed"]
    assert ledger.balance(applied(voucher, change)) == eur(8_000)


def test_the_same_return_delivered_again_credits_the_voucher_once() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000)
    voucher = applied(voucher, *refund({HASH: voucher}, a_return(5_000), LATER, VALIDITY))
    [again] = refund({HASH: voucher}, a_return(5_000), LATER, VALIDITY)
    assert again == ledger.Change("VCH-1")


def test_two_refund_lines_naming_one_voucher_are_credited_together() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000)
    [change] = refund({HASH: voucher}, a_return(3_000, 2_000), LATER, VALIDITY)
    assert [e.amount for e in refunded(change)] == [eur(5_000)]


def test_a_code_no_voucher_has_credits_nothing_and_is_recorded_as_a_shortfall_of_no_voucher() -> None:
    [change] = refund({}, a_return(5_000), LATER, VALIDITY)
    assert (change.voucher_id, change.entries, change.events) == (UNKNOWN_VOUCHER, (), ())
    assert change.shortfalls == (RefundShortfall("R-1", "S-1", HASH, None, eur(5_000), eur(0), "unknown_code", LATER),)


def test_a_refund_in_another_currency_than_the_vouchers_credits_nothing() -> None:
    voucher = paid_by(a_voucher(20_000), 12_000)
    pounds = RefundToVoucher("R-1", "S-1", "own_shop", "LON-01", (VoucherRefund(HASH, Money(500, "GBP")),), LATER)
    [change] = refund({HASH: voucher}, pounds, LATER, VALIDITY)
    assert refunded(change) == []
    assert [(s.reason, s.asked, s.credited) for s in change.shortfalls] == [
        ("wrong_currency", Money(500, "GBP"), eur(0))
    ]


def test_an_expired_voucher_refunded_is_opened_until_the_refund_validity_and_then_expires_again() -> None:
    voucher = paid_by(a_voucher(20_000, expires_in=timedelta(days=2)), 12_000)
    voucher = applied(voucher, ledger.expire(voucher, NOW + timedelta(days=2)))
    assert ledger.balance(voucher) == eur(0)

    [change] = refund({HASH: voucher}, a_return(5_000), LATER, VALIDITY)
    assert change.expires_at == LATER + VALIDITY
    assert [e.expires_at for e in refunded(change)] == [LATER + VALIDITY]
    opened = applied(voucher, change)
    assert not opened.is_expired(LATER + VALIDITY - timedelta(seconds=1))
    assert ledger.balance(opened) == eur(5_000)

    again = ledger.expire(opened, LATER + VALIDITY)
    assert [e for e in again.events if isinstance(e, VoucherExpired)] == [
        VoucherExpired("VCH-1", eur(5_000), LATER + VALIDITY)
    ]
    assert ledger.balance(applied(opened, again)) == eur(0)


def test_a_voucher_running_out_before_the_refund_validity_is_given_that_long_and_a_later_expiry_is_kept() -> None:
    soon = paid_by(a_voucher(20_000, expires_in=timedelta(days=5)), 12_000)
    [moved] = refund({HASH: soon}, a_return(1_000), LATER, VALIDITY)
    assert moved.expires_at == LATER + VALIDITY
    far = paid_by(a_voucher(20_000, expires_in=timedelta(days=365)), 12_000)
    [kept] = refund({HASH: far}, a_return(1_000), LATER, VALIDITY)
    assert kept.expires_at is None
    assert [e.expires_at for e in refunded(kept)] == [far.expires_at]


def test_a_sale_and_its_return_in_one_batch_are_decided_in_order_redeem_then_refund() -> None:
    voucher = a_voucher(20_000)
    decided = sales_and_returns_in_order({HASH: voucher}, [sale(12_000), a_return(5_000)], LATER, VALIDITY)
    assert [[e.kind for c in changes for e in c.entries] for changes in decided] == [["redeem"], ["refund"]]
    assert [e.amount for e in refunded(decided[1][0])] == [eur(5_000)]
    assert ledger.balance(voucher) == eur(13_000)


def test_a_return_decided_before_its_sale_finds_nothing_paid_and_credits_nothing() -> None:
    voucher = a_voucher(20_000)
    decided = sales_and_returns_in_order({HASH: voucher}, [a_return(5_000), sale(12_000)], LATER, VALIDITY)
    assert [s.reason for s in decided[0][0].shortfalls] == ["exceeds_redeemed"]
    assert ledger.balance(voucher) == eur(8_000)


def test_a_sale_after_a_refund_that_opened_the_voucher_in_the_same_batch_may_spend_it() -> None:
    voucher = paid_by(a_voucher(20_000, expires_in=timedelta(days=2)), 12_000)
    voucher = applied(voucher, ledger.expire(voucher, NOW + timedelta(days=2)))
    spend = replace(sale(3_000, sale_id="S-2"), sold_at=LATER)
    decided = sales_and_returns_in_order({HASH: voucher}, [a_return(5_000), spend], LATER, VALIDITY)
    assert [e.kind for e in decided[1][0].entries] == ["redeem"]
    assert [e.amount.amount_minor for e in decided[1][0].entries] == [3_000]
    assert (voucher.expired_at, ledger.balance(voucher)) == (None, eur(2_000))
