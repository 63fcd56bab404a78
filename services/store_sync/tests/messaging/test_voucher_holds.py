"""Trade-in's answers to the tills' voucher holds, read from the vouchers topic: an answer to one
of store-sync's holds fills in its row once; the topic's other facts, and answers to orders'
holds, are passed over, never dead-lettered."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import PositiveMoney, trade_in
from services.store_sync.tests.messaging.given import StoreSync, own_shop, unique
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest
from store_sync.domain import commands
from store_sync.domain.voucher_holds import HELD, PENDING, REFUSED, VoucherHold, code_hash
from store_sync.service_layer import voucher_holds

EUR_20 = PositiveMoney(amount_minor=2000, currency="EUR")


async def _hold(under_test: StoreSyncUnderTest, shop_id: str) -> VoucherHold:
    command = commands.RequestVoucherHold(
        shop_id, unique("H"), code_hash("TRD-7KQ2-M9WD-4HTZ-R8CE"), EUR_20.value(), reference=None
    )
    return await voucher_holds.request_hold(command, under_test.service.unit_of_work(), under_test.clock)


async def _now(under_test: StoreSyncUnderTest, hold: VoucherHold) -> VoucherHold:
    return await voucher_holds.hold_of(hold.shop_id, hold.hold_id, under_test.service.unit_of_work())


def _held(hold_id: str, voucher_id: str, under_test: StoreSyncUnderTest, **extra: object) -> trade_in.VoucherHeld:
    at = under_test.clock.now()
    fields: dict[str, object] = {"requested_by": "store-sync", **extra}
    return trade_in.VoucherHeld(
        voucher_id=voucher_id, hold_id=hold_id, amount=EUR_20, held_until=at + timedelta(minutes=15), at=at, **fields
    )


async def test_a_hold_held_by_trade_in_is_recorded_once_however_often_delivered(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    hold = await _hold(under_test, await own_shop(under_test))
    voucher_id = unique("V")
    await service.deliver(_held(hold.request_id, voucher_id, under_test), producer="trade-in", copies=2)
    now = await _now(under_test, hold)
    assert (now.status, now.voucher_id) == (HELD, voucher_id)
    assert now.held_until == under_test.clock.now() + timedelta(minutes=15)


async def test_a_refusal_is_recorded_with_its_reason(under_test: StoreSyncUnderTest, service: StoreSync) -> None:
    hold = await _hold(under_test, await own_shop(under_test))
    refusal = trade_in.VoucherHoldRefused(
        hold_id=hold.request_id,
        voucher_id=trade_in.UNKNOWN_VOUCHER,
        reason="unknown_code",
        requested_by="store-sync",
        at=under_test.clock.now(),
    )
    await service.deliver(refusal, producer="trade-in")
    now = await _now(under_test, hold)
    assert (now.status, now.refusal) == (REFUSED, "unknown_code")


async def test_answers_to_orders_holds_and_the_vouchers_other_facts_are_passed_over_not_dead_lettered(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    hold = await _hold(under_test, await own_shop(under_test))
    voucher_id = unique("V")
    at = under_test.clock.now()
    orders_hold = _held(hold.request_id, voucher_id, under_test, requested_by="orders")
    released = trade_in.VoucherReleased(
        voucher_id=voucher_id, hold_id=unique("H"), amount=EUR_20, reason="expired", at=at
    )
    an_unknown_hold = _held(unique("order-hold"), voucher_id, under_test)
    await service.deliver(orders_hold, released, an_unknown_hold, producer="trade-in")
    assert (await _now(under_test, hold)).status == PENDING
    assert [letter for letter in await service.dead_letters() if letter.key == voucher_id.encode()] == []
