"""The trade-in counts see what they count, and the model pays what the grid and the grade decide:
a zero in the summary means the trade-ins kept their promises, not that the check was blind."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from reloop_contracts import trade_in as contract
from tests.faults.checker import Seen
from tests.faults.day import Day, OnlineOrder, ShopLine, ShopSale, TradeIn, Voucher
from tests.faults.model import TradeInOutcome, expected, trade_in_outcome
from tests.faults.trade_in_checks import history_wrong, issued_not_once, paid_not_once, quoted_not_once

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
GRID = {("fam", "excellent"): 20000, ("fam", "very_good"): 18000, ("fam", "good"): 16000}
PAID = TradeInOutcome("paid", 22000, "voucher", ("quoted", "accepted", "in_transit", "received", "inspected", "paid"))
RETURNED = TradeInOutcome(
    "returned", None, None, ("quoted", "accepted", "in_transit", "received", "counter_offered", "returning", "returned")
)


def _seen(event: object, offset: int = 0) -> Seen:
    return Seen(0, offset, "k", str(uuid.uuid4()), event, {})


def _money(minor: int) -> dict[str, object]:
    return {"amount_minor": minor, "currency": "EUR"}


def _paid(trade_in_id: str, minor: int) -> Seen:
    event = contract.TradeInPaid.model_validate(
        {
            "trade_in_id": trade_in_id,
            "method": "voucher",
            "amount": _money(minor),
            "voucher_id": f"v-{trade_in_id}",
            "paid_at": NOW,
        }
    )
    return _seen(event)


def _issued(trade_in_id: str, minor: int) -> Seen:
    event = contract.VoucherIssued.model_validate(
        {
            "voucher_id": f"v-{uuid.uuid4().hex[:8]}",
            "trade_in_id": trade_in_id,
            "customer_id": "c-1",
            "market": "FR",
            "amount": _money(minor),
            "code_hint": "R8CE",
            "expires_at": NOW + timedelta(days=365),
            "issued_at": NOW,
        }
    )
    return _seen(event)


def _quoted(trade_in_id: str) -> Seen:
    answers = {
        "screen": "flawless",
        "body": "light_scratches",
        "powers_on": True,
        "functional_checks_passed": True,
        "activation_lock_removed": True,
    }
    device = {
        "model_family": "fam",
        "storage_gb": 128,
        "category": "smartphone",
        "declared_condition": {"grade": "excellent", "answers": answers},
    }
    event = contract.TradeInQuoted.model_validate(
        {
            "trade_in_id": trade_in_id,
            "quote_id": trade_in_id,
            "market": "FR",
            "customer_id": "c-1",
            "channel": "online",
            "device": device,
            "offered": _money(20000),
            "voucher_bonus_bps": 1000,
            "expires_at": NOW + timedelta(days=21),
            "quoted_at": NOW,
        }
    )
    return _seen(event)


def test_a_device_graded_worse_and_the_counter_offer_accepted_is_paid_the_lower_price_with_the_bonus() -> None:
    t = TradeIn(0, "c-1", "fam", "excellent", "good", True, "voucher")
    outcome = trade_in_outcome(t, GRID)
    assert (outcome.status, outcome.paid) == ("paid", 17600)
    assert outcome.path[-3:] == ("counter_offered", "inspected", "paid")


def test_a_declined_counter_offer_is_returned_and_paid_nothing() -> None:
    outcome = trade_in_outcome(TradeIn(0, "c-1", "fam", "excellent", "good", False, "bank_transfer"), GRID)
    assert outcome == TradeInOutcome("returned", None, None, RETURNED.path)


def test_a_better_grade_than_declared_keeps_the_offer_and_a_transfer_has_no_bonus() -> None:
    outcome = trade_in_outcome(TradeIn(0, "c-1", "fam", "very_good", "excellent", False, "bank_transfer"), GRID)
    assert (outcome.status, outcome.paid, outcome.method) == ("paid", 18000, "bank_transfer")


def test_a_trade_in_paid_twice_unpaid_or_paid_a_wrong_amount_is_counted_and_a_returned_one_paid_too() -> None:
    expected = {"t-once": PAID, "t-twice": PAID, "t-never": PAID, "t-short": PAID, "t-back": RETURNED}
    events = [_paid("t-once", 22000), _paid("t-twice", 22000), _paid("t-twice", 22000), _paid("t-short", 21000)]
    assert paid_not_once(events, expected) == 3
    assert paid_not_once([*events, _paid("t-back", 1)], expected) == 4


def test_a_credit_payout_without_its_voucher_or_with_two_is_counted() -> None:
    expected = {"t-once": PAID, "t-twice": PAID, "t-none": PAID}
    events = [_issued("t-once", 22000), _issued("t-twice", 22000), _issued("t-twice", 22000)]
    assert issued_not_once(events, expected) == 2


def test_a_quote_lost_or_a_device_quoted_twice_is_counted() -> None:
    expected = {"t-1": PAID, "t-2": PAID, "t-3": PAID}
    assert quoted_not_once([_quoted("t-1"), _quoted("t-2"), _quoted("t-2")], expected) == 2


def test_a_history_with_a_step_repeated_or_missing_is_wrong_and_the_exact_path_is_not() -> None:
    assert not history_wrong(list(PAID.path), PAID)
    assert history_wrong([*PAID.path[:4], "received", *PAID.path[4:]], PAID)
    assert history_wrong([s for s in PAID.path if s != "accepted"], PAID)


def test_a_trade_ins_credit_is_its_payout_less_what_the_order_or_the_till_sale_spending_it_paid() -> None:
    day = Day(1, {"D": 30000}, {"A": 3000}, ["shop"], [], [], {("A", "shop"): 5})
    day.buy_back = GRID
    day.trade_ins = [
        TradeIn(0, "c-1", "fam", "excellent", "excellent", True, "voucher", voucher=0),
        TradeIn(1, "c-2", "fam", "very_good", "good", True, "voucher", voucher=1),
    ]
    day.vouchers = [Voucher(0, "c-1", trade_in=0), Voucher(1, "c-2", trade_in=1), Voucher(2, "c-3", amount=5000)]
    day.online_orders = [OnlineOrder("o-1", "c-1", "D", 0, 4000), OnlineOrder("o-2", "c-3", "D", 2, 1000)]
    line = ShopLine("1", "accessory", "A", 2, 3000)
    day.shop_sales = [ShopSale("s-1", "shop", 900, (line,), voucher=1, voucher_pays=2500)]
    e = expected(day)
    assert e.voucher_issued == {0: 22000, 1: 17600, 2: 5000}
    assert e.voucher_balances == {0: 18000, 1: 15100, 2: 4000}
