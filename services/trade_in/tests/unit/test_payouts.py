"""Payouts: a bank transfer through the ledger once per trade-in, or a voucher worth more; the deny
list checked once more first."""

from __future__ import annotations

import pytest

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from services.trade_in.tests.builders import accepted, imei, quoted, ready_to_pay, stored, with_grid
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.errors import InvalidTransition
from trade_in.domain.voucher_codes import code_hash
from trade_in.service_layer.deny_list import deny_device
from trade_in.service_layer.payouts import Payout, pay_out


async def _pay(twin: TradeInTwin, trade_in_id: str) -> Payout:
    return await pay_out(commands.PayOut(trade_in_id, "staff-pay"), twin.unit_of_work(), twin.clock, twin.policy)


async def test_a_bank_transfer_pays_the_offer_once_even_when_asked_twice() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(11))
    first = await _pay(twin, trade_in.trade_in_id)
    again = await _pay(twin, trade_in.trade_in_id)
    assert (first.trade_in.status, first.trade_in.paid) == ("paid", Money(40000, "EUR"))
    assert again.trade_in.payout_reference == first.trade_in.payout_reference
    assert list(twin.tables.payouts) == [trade_in.trade_in_id]
    [paid] = twin.store.published(contract.TradeInPaid)
    assert (paid.method, paid.amount.amount_minor, paid.payout_reference) == (
        "bank_transfer",
        40000,
        first.trade_in.payout_reference,
    )


async def test_store_credit_is_worth_the_offer_plus_the_markets_bonus_and_its_code_is_answered_once() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(12), method="voucher")
    payout = await _pay(twin, trade_in.trade_in_id)
    assert payout.voucher is not None
    assert (payout.trade_in.paid, payout.voucher.amount) == (Money(44000, "EUR"), Money(44000, "EUR"))
    [voucher] = twin.tables.vouchers.vouchers.values()
    assert (voucher.trade_in_id, voucher.customer_id, voucher.code_hash) == (
        trade_in.trade_in_id,
        "cust-1",
        code_hash(payout.voucher.code),
    )
    assert twin.tables.payouts == {}
    [issued] = twin.store.published(contract.VoucherIssued)
    [paid] = twin.store.published(contract.TradeInPaid)
    assert (paid.method, paid.voucher_id, issued.voucher_id) == ("voucher", voucher.voucher_id, voucher.voucher_id)


async def test_a_voucher_payout_asked_twice_issues_one_voucher() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(13), method="voucher")
    await _pay(twin, trade_in.trade_in_id)
    again = await _pay(twin, trade_in.trade_in_id)
    assert again.voucher is None
    assert len(twin.tables.vouchers.vouchers) == 1


async def test_a_device_deny_listed_since_its_receipt_is_held_not_paid() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(14))
    await deny_device(commands.DenyDevice(imei(14), "insurer: stolen", "staff"), twin.unit_of_work(), twin.clock)
    payout = await _pay(twin, trade_in.trade_in_id)
    assert (payout.trade_in.status, payout.trade_in.hold_reason, payout.trade_in.paid) == (
        "on_hold",
        "deny_listed",
        None,
    )
    assert twin.tables.payouts == {}
    assert stored(twin, trade_in.trade_in_id).held_from == "inspected"


async def test_a_trade_in_not_yet_inspected_cannot_be_paid() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await quoted(twin, identifier=imei(15))
    await accepted(twin, trade_in.trade_in_id)
    with pytest.raises(InvalidTransition, match="in_transit"):
        await _pay(twin, trade_in.trade_in_id)
    assert twin.tables.payouts == {}
