"""Refunds onto vouchers, trade-in's side: a `ReturnRecorded` on `sales.transactions.v1` whose
refunds name a voucher (by its code's hash) puts store credit back on it, at most what the voucher
paid for the sale, once, and tells it as `VoucherRefunded` on `trade-in.vouchers.v1`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from reloop_contracts.sales import ReturnRecorded, SaleRecorded
from reloop_contracts.voucher_codes import voucher_code_hash
from services.trade_in.tests.messaging.under_test import TradeInUnderTest
from trade_in.domain.vouchers import IssueVoucher, RefundShortfall
from trade_in.service_layer import vouchers
from trade_in.service_layer.vouchers import IssuedVoucher


def _money(amount: int) -> dict[str, Any]:
    return {"amount_minor": amount, "currency": "EUR"}


async def _issued(under_test: TradeInUnderTest, amount: int) -> IssuedVoucher:
    command = IssueVoucher("FR", Money(amount, "EUR"), under_test.clock.now() + timedelta(days=90))
    return await vouchers.issue_voucher(command, under_test.service.unit_of_work(), under_test.clock)


def _sale(sale_id: str, code_hash: str, amount: int, at: datetime) -> SaleRecorded:
    return SaleRecorded.model_validate(
        {
            "sale_id": sale_id,
            "channel": "own_shop",
            "location_id": "PAR-01",
            "market": "FR",
            "sold_at": at.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "unit_price": _money(amount)}],
            "payments": [{"method": "voucher", "amount": _money(amount), "voucher_code_hash": code_hash}],
            "total": _money(amount),
        }
    )


def _return(sale_id: str, code_hash: str, onto_voucher: int, at: datetime, *, by_card: int = 0) -> ReturnRecorded:
    refunds = [{"method": "voucher", "amount": _money(onto_voucher), "voucher_code_hash": code_hash}]
    if by_card:
        refunds.append({"method": "card", "amount": _money(by_card)})
    owed = _money(onto_voucher + by_card)
    return ReturnRecorded.model_validate(
        {
            "return_id": f"RET-{uuid.uuid4().hex[:10]}",
            "sale_id": sale_id,
            "channel": "own_shop",
            "location_id": "PAR-01",
            "market": "FR",
            "returned_at": at.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "refund": owed}],
            "refunds": refunds,
        }
    )


async def _refunds(under_test: TradeInUnderTest, sale_id: str) -> list[contract.VoucherRefunded]:
    return [e for e in await under_test.service.published(contract.VoucherRefunded) if e.sale_id == sale_id]


async def _balance(under_test: TradeInUnderTest, voucher_id: str) -> Money:
    view = await vouchers.voucher_with_ledger(voucher_id, under_test.service.unit_of_work())
    return view.balance


async def _shortfalls(under_test: TradeInUnderTest, sale_id: str) -> list[RefundShortfall]:
    async with under_test.service.unit_of_work() as uow:
        return await uow.vouchers.refund_shortfalls(sale_id)


async def test_goods_paid_with_a_voucher_come_back_as_store_credit_on_it_told_once_however_delivered(
    under_test: TradeInUnderTest,
) -> None:
    issued = await _issued(under_test, 20_000)
    digest, at, sale_id = voucher_code_hash(issued.code), under_test.clock.now(), f"S-{uuid.uuid4().hex[:10]}"
    await under_test.service.deliver(_sale(sale_id, digest, 12_000, at), producer="store-sync")
    returned = _return(sale_id, digest, 5_000, at + timedelta(hours=1))
    await under_test.service.deliver(returned, producer="store-sync", copies=2)
    await under_test.service.deliver(returned.model_copy(), producer="store-sync")  # published again
    [told] = await _refunds(under_test, sale_id)
    assert (told.voucher_id, told.amount.amount_minor, told.return_id, told.channel, told.shop_id) == (
        issued.voucher_id,
        5_000,
        returned.return_id,
        "own_shop",
        "PAR-01",
    )
    assert told.expires_at == issued.expires_at
    assert await _balance(under_test, issued.voucher_id) == Money(13_000, "EUR")


async def test_a_sale_and_its_return_in_one_batch_are_redeemed_then_refunded(under_test: TradeInUnderTest) -> None:
    issued = await _issued(under_test, 20_000)
    digest, at, sale_id = voucher_code_hash(issued.code), under_test.clock.now(), f"S-{uuid.uuid4().hex[:10]}"
    sold, returned = _sale(sale_id, digest, 12_000, at), _return(sale_id, digest, 5_000, at, by_card=1_000)
    await under_test.service.deliver(sold, returned, producer="orders")
    assert [e.amount.amount_minor for e in await _refunds(under_test, sale_id)] == [5_000]
    assert await _balance(under_test, issued.voucher_id) == Money(13_000, "EUR")


async def test_a_refund_over_what_the_voucher_paid_credits_only_what_fits_and_keeps_the_rest_for_finance(
    under_test: TradeInUnderTest,
) -> None:
    issued = await _issued(under_test, 20_000)
    digest, at, sale_id = voucher_code_hash(issued.code), under_test.clock.now(), f"S-{uuid.uuid4().hex[:10]}"
    await under_test.service.deliver(_sale(sale_id, digest, 3_000, at), producer="orders")
    returned = _return(sale_id, digest, 4_500, at)
    await under_test.service.deliver(returned, producer="orders")
    assert [e.amount.amount_minor for e in await _refunds(under_test, sale_id)] == [3_000]
    assert await _balance(under_test, issued.voucher_id) == Money(20_000, "EUR")
    [kept] = await _shortfalls(under_test, sale_id)
    assert (kept.return_id, kept.voucher_id, kept.reason, kept.asked, kept.credited) == (
        returned.return_id,
        issued.voucher_id,
        "exceeds_redeemed",
        Money(4_500, "EUR"),
        Money(3_000, "EUR"),
    )
    letters = [str(d) for d in await under_test.service.dead_letters()]
    assert [d for d in letters if returned.return_id in d] == []
