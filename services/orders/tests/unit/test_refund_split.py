"""The refund rule, on plain objects: store credit back onto the vouchers first, each up to what it
paid less what earlier refunds put back on it, in the order they were applied; the card the rest."""

from __future__ import annotations

import pytest

from orders.domain.errors import WrongState
from orders.domain.refunds import split_refund
from orders.domain.vouchers import VoucherPayment, VoucherState
from reloop_contracts.amounts import Money


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def voucher(n: int, paid: int | None, refunded: int = 0) -> VoucherPayment:
    return VoucherPayment(
        f"order-1:voucher:{n}",
        f"{n}" * 64,
        f"000{n}",
        eur(paid or 5000),
        VoucherState.HELD,
        paid=eur(paid) if paid is not None else None,
        refunded=eur(refunded) if refunded else None,
    )


def test_an_order_paid_by_card_alone_is_refunded_to_the_card() -> None:
    split = split_refund(eur(3980), [])
    assert (split.vouchers, split.card, split.store_credit) == ((), eur(3980), eur(0))


def test_the_vouchers_take_the_refund_first_in_the_order_they_were_applied() -> None:
    first, second = voucher(1, 3000), voucher(2, 2000)
    split = split_refund(eur(4500), [first, second])
    assert [(c.hold_id, c.code_hash, c.amount) for c in split.vouchers] == [
        (first.hold_id, first.code_hash, eur(3000)),
        (second.hold_id, second.code_hash, eur(1500)),
    ]
    assert (split.store_credit, split.card) == (eur(4500), eur(0))


def test_what_the_vouchers_paid_caps_their_share_and_the_card_gets_the_rest() -> None:
    split = split_refund(eur(45900), [voucher(1, 10000)])
    assert ([c.amount for c in split.vouchers], split.card) == ([eur(10000)], eur(35900))


def test_what_earlier_refunds_put_back_on_a_voucher_is_not_put_back_again() -> None:
    first, second = voucher(1, 10000, refunded=10000), voucher(2, 5000, refunded=1000)
    split = split_refund(eur(6000), [first, second])
    assert ([(c.hold_id, c.amount) for c in split.vouchers], split.card) == (
        [(second.hold_id, eur(4000))],
        eur(2000),
    )


def test_a_voucher_the_sale_did_not_take_gets_nothing_back() -> None:
    split = split_refund(eur(1000), [voucher(1, None)])
    assert (split.vouchers, split.card) == ((), eur(1000))


def test_several_returns_together_put_back_exactly_what_each_voucher_paid_never_more() -> None:
    vouchers = [voucher(1, 3001), voucher(2, 1999)]
    card = eur(0)
    for refund in (1333, 1333, 1333, 1333, 1333):  # 6665 in all: 5000 by the vouchers, 1665 by the card
        split = split_refund(eur(refund), vouchers)
        for credit in split.vouchers:
            next(v for v in vouchers if v.hold_id == credit.hold_id).credited(credit.amount)
        assert split.store_credit + split.card == eur(refund)  # whole minor units: nothing rounded away
        card += split.card
    assert [v.refunded for v in vouchers] == [eur(3001), eur(1999)]
    assert [v.refundable for v in vouchers] == [eur(0), eur(0)]
    assert card == eur(6665 - 5000)


def test_a_voucher_refuses_to_take_back_more_than_it_paid() -> None:
    paid = voucher(1, 2000, refunded=1500)
    with pytest.raises(WrongState):
        paid.credited(eur(501))
    assert paid.refunded == eur(1500)
