"""The voucher use cases on the in-memory twin: load, decide, save, and the events they record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from services.trade_in.tests.voucher_fakes import ConstraintViolation, VoucherTwin
from trade_in.domain.voucher_codes import code_hash
from trade_in.domain.voucher_ledger import Change
from trade_in.domain.vouchers import (
    Entry,
    IssueVoucher,
    RedeemForSale,
    RequestHold,
    VoucherAlreadyIssued,
    VoucherExpired,
    VoucherHeld,
    VoucherIssued,
    VoucherNotFound,
    VoucherOverdrawn,
    VoucherPayment,
    VoucherRedeemed,
    VoucherReleased,
)
from trade_in.service_layer import vouchers
from trade_in.service_layer.vouchers import IssuedVoucher

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


@pytest.fixture
def twin() -> VoucherTwin:
    return VoucherTwin(FixedClock(NOW))


async def issue(twin: VoucherTwin, amount: int = 10_000, *, trade_in_id: str | None = None) -> IssuedVoucher:
    command = IssueVoucher("FR", eur(amount), NOW + timedelta(days=90), customer_id="acct-1", trade_in_id=trade_in_id)
    return await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)


def shop_sale(sale_id: str, *payments: VoucherPayment) -> RedeemForSale:
    return RedeemForSale(sale_id, "own_shop", "PAR-01", "FR", eur(50_000), payments, NOW)


async def test_issuing_answers_the_code_once_and_keeps_only_its_hash_and_hint(twin: VoucherTwin) -> None:
    issued = await issue(twin)
    stored = twin.store.tables.vouchers.vouchers[issued.voucher_id]
    assert stored.code_hash == code_hash(issued.code)
    assert issued.code not in repr(twin.store.tables)
    assert stored.code_hint == issued.code[-4:]
    assert twin.events == [
        VoucherIssued(issued.voucher_id, None, "acct-1", "FR", eur(10_000), stored.code_hint, issued.expires_at, NOW)
    ]
    assert twin.balance(issued.voucher_id) == eur(10_000)


async def test_a_trade_in_is_paid_with_one_voucher_at_most_and_the_refusal_keeps_nothing(twin: VoucherTwin) -> None:
    await issue(twin, trade_in_id="TI-1")
    with pytest.raises(VoucherAlreadyIssued):
        await issue(twin, trade_in_id="TI-1")
    assert len(twin.store.tables.vouchers.vouchers) == 1
    assert len(twin.events) == 1


async def test_a_hold_then_its_sale_redeem_once_and_the_balance_is_exact(twin: VoucherTwin) -> None:
    issued = await issue(twin)
    held_until = NOW + timedelta(minutes=10)
    hold = RequestHold("H-1", code_hash(issued.code), eur(4_000), "FR", "orders", held_until)
    answer = await vouchers.request_hold(hold, twin.unit_of_work(), twin.clock)
    assert answer.events == (VoucherHeld(issued.voucher_id, "H-1", eur(4_000), held_until, "orders", NOW),)
    assert twin.balance(issued.voucher_id) == eur(6_000)
    online = RedeemForSale(
        "ORD-1", "online", None, "FR", eur(9_000), (VoucherPayment(code_hash(issued.code), eur(4_000), "H-1"),), NOW
    )
    await vouchers.redeem_for_sale(online, twin.unit_of_work(), twin.clock)
    await vouchers.redeem_for_sale(online, twin.unit_of_work(), twin.clock)
    assert twin.balance(issued.voucher_id) == eur(6_000)
    assert [type(e) for e in twin.events] == [type(twin.events[0]), VoucherHeld, VoucherRedeemed]


async def test_the_hold_sweep_releases_holds_whose_time_is_up_and_only_those(twin: VoucherTwin) -> None:
    issued = await issue(twin)
    for hold_id, minutes in (("H-short", 5), ("H-long", 60)):
        request = RequestHold(
            hold_id, code_hash(issued.code), eur(1_000), "FR", "store-sync", NOW + timedelta(minutes=minutes)
        )
        await vouchers.request_hold(request, twin.unit_of_work(), twin.clock)
    twin.clock.advance(timedelta(minutes=5))
    assert await vouchers.release_expired_holds(twin.unit_of_work(), twin.clock) == 1
    assert await vouchers.release_expired_holds(twin.unit_of_work(), twin.clock) == 0
    assert twin.events[-1] == VoucherReleased(issued.voucher_id, "H-short", eur(1_000), "expired", twin.clock.now())
    assert twin.balance(issued.voucher_id) == eur(9_000)


async def test_an_offline_shop_sale_of_a_spent_voucher_records_the_overdraw_never_a_negative_balance(
    twin: VoucherTwin,
) -> None:
    issued = await issue(twin, 5_000)
    await vouchers.redeem_for_sale(
        shop_sale("S-1", VoucherPayment(code_hash(issued.code), eur(5_000))), twin.unit_of_work(), twin.clock
    )
    await vouchers.redeem_for_sale(
        shop_sale("S-2", VoucherPayment(code_hash(issued.code), eur(3_000))), twin.unit_of_work(), twin.clock
    )
    overdrawn = twin.events[-1]
    assert isinstance(overdrawn, VoucherOverdrawn)
    assert (overdrawn.sale_id, overdrawn.redeemed, overdrawn.shortfall) == ("S-2", eur(0), eur(3_000))
    assert twin.balance(issued.voucher_id) == eur(0)


async def test_the_expiry_sweep_expires_what_is_due_once(twin: VoucherTwin) -> None:
    issued = await issue(twin, 7_000)
    assert await vouchers.expire_vouchers(twin.unit_of_work(), twin.clock) == 0
    twin.clock.set(issued.expires_at)
    assert await vouchers.expire_vouchers(twin.unit_of_work(), twin.clock) == 1
    assert await vouchers.expire_vouchers(twin.unit_of_work(), twin.clock) == 0
    assert twin.events[-1] == VoucherExpired(issued.voucher_id, eur(7_000), issued.expires_at)
    assert twin.balance(issued.voucher_id) == eur(0)


async def test_the_balance_is_found_by_the_code_however_it_is_typed(twin: VoucherTwin) -> None:
    issued = await issue(twin, 3_000)
    view = await vouchers.voucher_balance(issued.code.lower().replace("-", " "), twin.unit_of_work())
    assert (view.voucher.voucher_id, view.balance) == (issued.voucher_id, eur(3_000))


async def test_a_code_no_voucher_has_answers_not_found(twin: VoucherTwin) -> None:
    with pytest.raises(VoucherNotFound):
        await vouchers.voucher_balance("TRD-2222-2222-2222-2222", twin.unit_of_work())


async def test_the_twin_refuses_an_entry_that_would_take_a_voucher_below_zero(twin: VoucherTwin) -> None:
    issued = await issue(twin, 1_000)
    unit = twin.unit_of_work()
    async with unit:
        [voucher] = await unit.vouchers.lock([issued.voucher_id])
        overspend = Change(voucher.voucher_id, (Entry("redeem", eur(1_001), NOW, sale_id="S"),))
        with pytest.raises(ConstraintViolation):
            await unit.vouchers.save([overspend])
