"""The voucher hold saga, trade-in's side: checkouts and tills ask on `vouchers.hold-requests.v1`
(by the code's hash) and read the answer on `trade-in.vouchers.v1`; the sale that follows names
the hold it converts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from reloop_contracts.sales import SaleRecorded
from reloop_contracts.voucher_codes import voucher_code_hash
from services.trade_in.tests.messaging.under_test import TradeInUnderTest
from trade_in.domain.vouchers import UNKNOWN_VOUCHER, IssueVoucher
from trade_in.service_layer import vouchers
from trade_in.service_layer.vouchers import IssuedVoucher


async def _issued(under_test: TradeInUnderTest, amount: int = 10_000) -> IssuedVoucher:
    command = IssueVoucher("FR", Money(amount, "EUR"), under_test.clock.now() + timedelta(days=90))
    return await vouchers.issue_voucher(command, under_test.service.unit_of_work(), under_test.clock)


def _request(
    code_hash: str,
    amount: int,
    *,
    hold_id: str = "",
    market: str = "FR",
    currency: str = "EUR",
    requested_by: Literal["orders", "store-sync"] = "orders",
    at: datetime,
) -> contract.VoucherHoldRequested:
    return contract.VoucherHoldRequested.model_validate(
        {
            "hold_id": hold_id or f"H-{uuid.uuid4().hex[:12]}",
            "code_hash": code_hash,
            "amount": {"amount_minor": amount, "currency": currency},
            "market": market,
            "requested_by": requested_by,
            "shop_id": "PAR-01" if requested_by == "store-sync" else None,
            "requested_at": at.isoformat(),
        }
    )


async def _answers(
    under_test: TradeInUnderTest, hold_id: str
) -> list[contract.VoucherHeld | contract.VoucherHoldRefused]:
    held = await under_test.service.published(contract.VoucherHeld)
    refused = await under_test.service.published(contract.VoucherHoldRefused)
    return [e for e in [*held, *refused] if e.hold_id == hold_id]


async def _hold_entries(under_test: TradeInUnderTest, voucher_id: str, hold_id: str) -> list[str]:
    view = await vouchers.voucher_with_ledger(voucher_id, under_test.service.unit_of_work())
    return [e.kind for e in view.voucher.entries if e.hold_id == hold_id]


async def test_a_hold_request_is_answered_held_for_the_policys_time_through_the_outbox(
    under_test: TradeInUnderTest,
) -> None:
    issued = await _issued(under_test)
    request = _request(voucher_code_hash(issued.code), 4_000, at=under_test.clock.now())
    await under_test.service.deliver(request, producer="orders")
    [answer] = await _answers(under_test, request.hold_id)
    assert isinstance(answer, contract.VoucherHeld)
    assert (answer.voucher_id, answer.amount.amount_minor, answer.requested_by) == (issued.voucher_id, 4_000, "orders")
    assert answer.held_until == under_test.clock.now() + under_test.policy.voucher_hold
    view = await vouchers.voucher_balance(issued.code, under_test.service.unit_of_work())
    assert view.balance == Money(6_000, "EUR")


async def test_the_same_hold_asked_again_gets_the_same_answer_and_holds_once(under_test: TradeInUnderTest) -> None:
    issued = await _issued(under_test)
    first = _request(voucher_code_hash(issued.code), 3_000, at=under_test.clock.now())
    retried = first.model_copy()  # the requester's retry: the same hold id, a new event
    await under_test.service.deliver(first, producer="orders", copies=2)
    start = under_test.clock.now()
    under_test.clock.advance(timedelta(minutes=1))
    try:
        await under_test.service.deliver(retried, producer="orders")
    finally:
        under_test.clock.set(start)
    answers = await _answers(under_test, first.hold_id)
    assert len(answers) == 2
    assert all(isinstance(a, contract.VoucherHeld) for a in answers)
    assert answers[0] == answers[1]
    assert await _hold_entries(under_test, issued.voucher_id, first.hold_id) == ["hold"]


async def test_requests_for_one_voucher_are_decided_in_the_order_they_were_asked(
    under_test: TradeInUnderTest,
) -> None:
    issued = await _issued(under_test, 10_000)
    digest, at = voucher_code_hash(issued.code), under_test.clock.now()
    online, till = _request(digest, 6_000, at=at), _request(digest, 6_000, requested_by="store-sync", at=at)
    await under_test.service.deliver(online, till, producer="orders")
    [granted] = await _answers(under_test, online.hold_id)
    [refused] = await _answers(under_test, till.hold_id)
    assert isinstance(granted, contract.VoucherHeld)
    assert isinstance(refused, contract.VoucherHoldRefused)
    assert (refused.voucher_id, refused.reason, refused.requested_by) == (
        issued.voucher_id,
        "insufficient_balance",
        "store-sync",
    )


async def test_an_unknown_code_and_another_currency_are_refused_with_the_reason(under_test: TradeInUnderTest) -> None:
    issued = await _issued(under_test)
    at = under_test.clock.now()
    unknown = _request(voucher_code_hash(f"TRD-{uuid.uuid4().hex[:16]}"), 1_000, requested_by="store-sync", at=at)
    pounds = _request(voucher_code_hash(issued.code), 1_000, market="GB", currency="GBP", at=at)
    await under_test.service.deliver(unknown, pounds, producer="store-sync")
    [no_voucher] = await _answers(under_test, unknown.hold_id)
    [other_currency] = await _answers(under_test, pounds.hold_id)
    assert isinstance(no_voucher, contract.VoucherHoldRefused)
    assert isinstance(other_currency, contract.VoucherHoldRefused)
    assert (no_voucher.voucher_id, no_voucher.reason, no_voucher.requested_by) == (
        UNKNOWN_VOUCHER,
        "unknown_code",
        "store-sync",
    )
    assert (other_currency.voucher_id, other_currency.reason) == (issued.voucher_id, "wrong_currency")
    letters = [str(d) for d in await under_test.service.dead_letters()]
    assert [d for d in letters if unknown.hold_id in d or pounds.hold_id in d] == []


def _online_sale(sale_id: str, code_hash: str, amount: int, hold_id: str, at: datetime) -> SaleRecorded:
    money: dict[str, Any] = {"amount_minor": amount, "currency": "EUR"}
    return SaleRecorded.model_validate(
        {
            "sale_id": sale_id,
            "channel": "online",
            "location_id": "WH-1",
            "market": "FR",
            "sold_at": at.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "unit_price": money}],
            "payments": [{"method": "voucher", "amount": money, "voucher_code_hash": code_hash, "reference": hold_id}],
            "total": money,
        }
    )


async def test_a_sale_naming_the_code_hash_and_the_hold_converts_it_to_the_cent(under_test: TradeInUnderTest) -> None:
    issued = await _issued(under_test, 10_000)
    digest = voucher_code_hash(issued.code)
    request = _request(digest, 2_500, at=under_test.clock.now())
    await under_test.service.deliver(request, producer="orders")
    sale = _online_sale(f"ORD-{uuid.uuid4().hex[:10]}", digest, 2_500, request.hold_id, under_test.clock.now())
    await under_test.service.deliver(sale, producer="orders")
    [redeemed] = [e for e in await under_test.service.published(contract.VoucherRedeemed) if e.sale_id == sale.sale_id]
    assert (redeemed.voucher_id, redeemed.amount.amount_minor, redeemed.hold_id) == (
        issued.voucher_id,
        2_500,
        request.hold_id,
    )
    view = await vouchers.voucher_with_ledger(issued.voucher_id, under_test.service.unit_of_work())
    assert view.balance == Money(7_500, "EUR")
    assert [e.kind for e in view.voucher.entries] == ["issue", "hold", "release", "redeem"]
