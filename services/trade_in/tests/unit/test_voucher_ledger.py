"""The ledger's rules, on plain vouchers and a plain datetime: no storage, no await."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from trade_in.domain import voucher_ledger as ledger
from trade_in.domain.voucher_codes import code_hash, code_hint
from trade_in.domain.vouchers import (
    UNKNOWN_VOUCHER,
    InvalidVoucher,
    RedeemForSale,
    RequestHold,
    Voucher,
    VoucherExpired,
    VoucherHeld,
    VoucherHoldRefused,
    VoucherOverdrawn,
    VoucherPayment,
    VoucherRedeemed,
    VoucherReleased,
)

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
CODE = "TRD-AAAA-BBBB-CCCC-DDDD"
HASH = code_hash(CODE)


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def a_voucher(amount: int = 10_000, *, voucher_id: str = "VCH-1", code: str = CODE) -> Voucher:
    voucher = Voucher(voucher_id, code_hash(code), code_hint(code), "FR", eur(amount), NOW, NOW + timedelta(days=365))
    return applied(voucher, ledger.issued(voucher))


def applied(voucher: Voucher, *changes: ledger.Change) -> Voucher:
    entries = [e for c in changes if c.voucher_id == voucher.voucher_id for e in c.entries]
    expired_at = next((c.expired_at for c in changes if c.expired_at), voucher.expired_at)
    return replace(voucher, entries=[*voucher.entries, *entries], expired_at=expired_at)


def hold_of(amount: int, hold_id: str = "H-1", *, market: str = "FR", currency: str = "EUR") -> RequestHold:
    return RequestHold(hold_id, HASH, Money(amount, currency), market, "orders", NOW + timedelta(minutes=15))


def sale(
    *payments: VoucherPayment, sale_id: str = "S-1", channel: str = "own_shop", basket: int = 30_000
) -> RedeemForSale:
    currency = payments[0].amount.currency
    shop = None if channel == "online" else "PAR-01"
    return RedeemForSale(sale_id, channel, shop, "FR", Money(basket, currency), payments, NOW)  # type: ignore[arg-type]


def test_a_new_voucher_starts_with_one_issue_entry_of_its_whole_amount() -> None:
    voucher = a_voucher(5_000)
    assert [e.kind for e in voucher.entries] == ["issue"]
    assert ledger.balance(voucher) == eur(5_000)


def test_a_voucher_in_a_currency_its_market_does_not_pay_in_is_refused_naming_the_currency() -> None:
    voucher = Voucher("V", code_hash(CODE), "DDDD", "GB", eur(100), NOW, NOW + timedelta(days=1))
    with pytest.raises(InvalidVoucher) as refused:
        ledger.issued(voucher)
    assert refused.value.field == "amount.currency"


def test_a_hold_takes_the_amount_off_the_balance_until_it_is_released() -> None:
    voucher = a_voucher(10_000)
    change = ledger.hold(voucher, hold_of(4_000), NOW)
    assert isinstance(change.events[0], VoucherHeld)
    assert ledger.balance(applied(voucher, change)) == eur(6_000)


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (hold_of(10_001), "insufficient_balance"),
        (hold_of(100, currency="GBP"), "wrong_currency"),
        (hold_of(100, market="GB"), "wrong_currency"),
    ],
)
def test_a_hold_the_voucher_cannot_give_is_refused_with_the_reason(request_: RequestHold, reason: str) -> None:
    change = ledger.hold(a_voucher(10_000), request_, NOW)
    assert change.entries == ()
    assert change.events == (VoucherHoldRefused(request_.hold_id, "VCH-1", reason, "orders", NOW),)  # type: ignore[arg-type]


def test_a_hold_for_a_code_no_voucher_has_is_refused_under_the_unknown_voucher() -> None:
    change = ledger.hold(None, hold_of(100), NOW)
    assert change.events == (VoucherHoldRefused("H-1", UNKNOWN_VOUCHER, "unknown_code", "orders", NOW),)


def test_a_hold_on_an_expired_voucher_is_refused_as_expired() -> None:
    voucher = a_voucher()
    voucher = applied(voucher, ledger.expire(voucher, NOW))
    change = ledger.hold(voucher, hold_of(100), NOW)
    assert isinstance(change.events[0], VoucherHoldRefused)
    assert change.events[0].reason == "expired"


def test_asking_again_for_the_same_hold_answers_the_same_and_holds_nothing_more() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    again = ledger.hold(voucher, hold_of(4_000), NOW + timedelta(seconds=5))
    assert again.entries == ()
    assert again.events == (VoucherHeld("VCH-1", "H-1", eur(4_000), NOW + timedelta(minutes=15), "orders", NOW),)


def test_a_hold_whose_time_is_up_is_released_and_its_amount_comes_back() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    assert ledger.release_due_holds(voucher, NOW + timedelta(minutes=14)).entries == ()
    change = ledger.release_due_holds(voucher, NOW + timedelta(minutes=15))
    assert change.events == (VoucherReleased("VCH-1", "H-1", eur(4_000), "expired", NOW + timedelta(minutes=15)),)
    assert ledger.balance(applied(voucher, change)) == eur(10_000)


def test_a_sale_with_a_hold_converts_it_and_gives_back_what_it_did_not_use() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    [change] = ledger.redeem({voucher.code_hash: voucher}, sale(VoucherPayment(HASH, eur(3_000), "H-1")), NOW)
    assert [e.kind for e in change.entries] == ["release", "redeem"]
    assert change.events == (
        VoucherRedeemed("VCH-1", eur(3_000), "S-1", "own_shop", "PAR-01", eur(30_000), "H-1", NOW),
    )
    assert ledger.balance(applied(voucher, change)) == eur(7_000)


def test_a_hold_cannot_be_redeemed_by_a_second_sale() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    payment = VoucherPayment(HASH, eur(4_000), "H-1")
    voucher = applied(voucher, *ledger.redeem({voucher.code_hash: voucher}, sale(payment), NOW))
    [second] = ledger.redeem({voucher.code_hash: voucher}, sale(payment, sale_id="S-2"), NOW)
    assert second.events == (
        VoucherOverdrawn(
            "VCH-1", "S-2", eur(4_000), eur(0), eur(4_000), "hold_already_redeemed", "own_shop", "PAR-01", NOW
        ),
    )
    assert ledger.balance(applied(voucher, second)) == eur(6_000)


def test_a_partial_redemption_leaves_the_rest_on_the_voucher() -> None:
    voucher = a_voucher(10_000)
    changes = ledger.redeem({voucher.code_hash: voucher}, sale(VoucherPayment(HASH, eur(2_500))), NOW)
    assert ledger.balance(applied(voucher, *changes)) == eur(7_500)


def test_a_shop_sale_wanting_more_than_the_balance_redeems_what_remains_and_tells_the_shortfall() -> None:
    voucher = a_voucher(10_000)
    changes = ledger.redeem({voucher.code_hash: voucher}, sale(VoucherPayment(HASH, eur(12_000))), NOW)
    assert [type(e) for c in changes for e in c.events] == [VoucherRedeemed, VoucherOverdrawn]
    overdrawn = changes[0].events[1]
    assert isinstance(overdrawn, VoucherOverdrawn)
    assert (overdrawn.redeemed, overdrawn.shortfall, overdrawn.reason) == (
        eur(10_000),
        eur(2_000),
        "insufficient_balance",
    )
    assert ledger.balance(applied(voucher, *changes)) == eur(0)


def test_a_sale_delivered_again_redeems_nothing_twice() -> None:
    voucher = a_voucher(10_000)
    command = sale(VoucherPayment(HASH, eur(2_500)))
    voucher = applied(voucher, *ledger.redeem({voucher.code_hash: voucher}, command, NOW))
    again = ledger.redeem({voucher.code_hash: voucher}, command, NOW)
    assert again == [ledger.Change("VCH-1")]


def test_an_expired_voucher_pays_nothing_and_the_sale_is_told_why() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.expire(voucher, voucher.expires_at))
    [change] = ledger.redeem({voucher.code_hash: voucher}, sale(VoucherPayment(HASH, eur(1_000))), NOW)
    assert [(type(e), getattr(e, "reason", None)) for e in change.events] == [(VoucherOverdrawn, "expired")]


def test_a_payment_in_another_currency_pays_nothing_and_says_so() -> None:
    voucher = a_voucher(10_000)
    [change] = ledger.redeem({voucher.code_hash: voucher}, sale(VoucherPayment(HASH, Money(1_000, "GBP"))), NOW)
    overdrawn = change.events[0]
    assert isinstance(overdrawn, VoucherOverdrawn)
    assert overdrawn.reason == "wrong_currency"
    assert overdrawn.shortfall == Money(1_000, "GBP")
    assert ledger.balance(applied(voucher, change)) == eur(10_000)


def test_a_code_no_voucher_has_is_told_as_a_shortfall_of_the_unknown_voucher() -> None:
    [change] = ledger.redeem({}, sale(VoucherPayment(HASH, eur(1_000))), NOW)
    assert change.voucher_id == UNKNOWN_VOUCHER
    assert change.entries == ()
    assert isinstance(change.events[0], VoucherOverdrawn)
    assert change.events[0].reason == "unknown_code"


def test_several_vouchers_of_one_sale_are_decided_in_voucher_id_order() -> None:
    first = a_voucher(1_000, voucher_id="VCH-A", code="TRD-2222-2222-2222-2222")
    second = a_voucher(1_000, voucher_id="VCH-B", code="TRD-3333-3333-3333-3333")
    payments = (
        VoucherPayment(code_hash("TRD-3333-3333-3333-3333"), eur(500)),
        VoucherPayment(code_hash("TRD-2222-2222-2222-2222"), eur(500)),
    )
    changes = ledger.redeem({v.code_hash: v for v in (second, first)}, sale(*payments), NOW)
    assert [c.voucher_id for c in changes] == ["VCH-A", "VCH-B"]


def test_two_payments_with_the_same_voucher_in_one_sale_are_redeemed_as_one() -> None:
    voucher = a_voucher(10_000)
    payments = (VoucherPayment(HASH, eur(1_000)), VoucherPayment(code_hash("trd-aaaa-bbbb-cccc-dddd"), eur(2_000)))
    [change] = ledger.redeem({voucher.code_hash: voucher}, sale(*payments), NOW)
    assert [(e.kind, e.amount) for e in change.entries] == [("redeem", eur(3_000))]


def test_expiry_gives_back_open_holds_then_takes_off_all_that_remains() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    change = ledger.expire(voucher, voucher.expires_at)
    assert [type(e) for e in change.events] == [VoucherReleased, VoucherExpired]
    assert change.events[-1] == VoucherExpired("VCH-1", eur(10_000), voucher.expires_at)
    assert ledger.balance(applied(voucher, change)) == eur(0)
    assert ledger.expire(applied(voucher, change), voucher.expires_at) == ledger.Change("VCH-1")


def test_a_hold_asked_for_again_once_it_is_over_is_refused_never_held_twice() -> None:
    voucher = a_voucher(10_000)
    voucher = applied(voucher, ledger.hold(voucher, hold_of(4_000), NOW))
    voucher = applied(voucher, ledger.release_due_holds(voucher, NOW + timedelta(hours=1)))
    again = ledger.hold(voucher, hold_of(4_000), NOW + timedelta(minutes=1))
    assert again.entries == ()
    assert again.events == (VoucherHoldRefused("H-1", "VCH-1", "expired", "orders", NOW + timedelta(minutes=1)),)


def test_a_hold_that_would_end_before_it_starts_is_refused_naming_held_until() -> None:
    with pytest.raises(InvalidVoucher) as refused:
        ledger.hold(a_voucher(), hold_of(100), NOW + timedelta(hours=1))
    assert refused.value.field == "held_until"


def test_a_voucher_loaded_with_only_the_entries_a_decision_needs_decides_as_with_its_whole_ledger() -> None:
    voucher = a_voucher(10_000)
    for n in range(5):  # a history of sales the next decisions do not name
        voucher = applied(
            voucher, *ledger.redeem({voucher.code_hash: voucher}, sale(eur_payment(1_000), sale_id=f"S-{n}"), NOW)
        )
    voucher = applied(voucher, ledger.hold(voucher, hold_of(2_000, "H-1"), NOW))
    needed = [e for e in voucher.entries if e.kind == "hold"]
    carried = ledger.balance(voucher).amount_minor - ledger.balance_of(needed, "EUR").amount_minor
    working = replace(voucher, entries=needed, carried_minor=carried)

    assert ledger.balance(working) == ledger.balance(voucher) == eur(3_000)
    converting = sale(VoucherPayment(HASH, eur(2_500), "H-1"), sale_id="S-9")
    assert ledger.redeem({voucher.code_hash: working}, converting, NOW) == ledger.redeem(
        {voucher.code_hash: voucher}, converting, NOW
    )
    assert ledger.expire(working, NOW) == ledger.expire(voucher, NOW)


def test_sales_of_one_batch_are_decided_in_order_each_seeing_what_the_ones_before_took() -> None:
    voucher = a_voucher(2_500)
    batch = [sale(eur_payment(1_000), sale_id=f"S-{n}") for n in range(3)] + [sale(eur_payment(1_000), sale_id="S-0")]
    decided = ledger.redeem_in_order({voucher.code_hash: voucher}, batch, NOW)

    paid = [[e.amount for c in changes for e in c.events if isinstance(e, VoucherRedeemed)] for changes in decided]
    assert paid == [[eur(1_000)], [eur(1_000)], [eur(500)], []]  # the last is S-0 again: nothing twice
    [short] = [e for c in decided[2] for e in c.events if isinstance(e, VoucherOverdrawn)]
    assert (short.sale_id, short.shortfall) == ("S-2", eur(500))
    assert ledger.balance(voucher) == eur(0)


def eur_payment(cents: int) -> VoucherPayment:
    return VoucherPayment(HASH, eur(cents))


def test_hold_requests_for_one_voucher_are_decided_in_order_each_seeing_the_holds_before_it() -> None:
    voucher = a_voucher(10_000)
    first, second, third = hold_of(6_000, "H-1"), hold_of(6_000, "H-2"), hold_of(4_000, "H-3")
    changes = ledger.hold_in_order({HASH: voucher}, [first, second, third], NOW)
    assert [type(c.events[0]).__name__ for c in changes] == ["VoucherHeld", "VoucherHoldRefused", "VoucherHeld"]
    assert isinstance(changes[1].events[0], VoucherHoldRefused)
    assert changes[1].events[0].reason == "insufficient_balance"
    assert ledger.balance(voucher) == eur(0)


def test_a_hold_asked_twice_in_one_batch_is_held_once_and_answered_alike() -> None:
    voucher = a_voucher(10_000)
    changes = ledger.hold_in_order({HASH: voucher}, [hold_of(3_000, "H-1"), hold_of(3_000, "H-1")], NOW)
    assert [len(c.entries) for c in changes] == [1, 0]
    assert changes[0].events == changes[1].events
    assert ledger.balance(voucher) == eur(7_000)


def test_a_hold_request_for_a_hash_no_voucher_has_is_refused_as_an_unknown_code() -> None:
    [change] = ledger.hold_in_order({}, [hold_of(1_000)], NOW)
    assert change.events == (VoucherHoldRefused("H-1", UNKNOWN_VOUCHER, "unknown_code", "orders", NOW),)
