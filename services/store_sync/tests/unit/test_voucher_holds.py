"""A till's voucher hold on the twin: the request recorded and published by the code's hash, a
retry answered from the row, trade-in's answers taken only for store-sync's own holds."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from reloop_contracts import trade_in
from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import voucher_code_hash
from services.store_sync.tests.builders import NOW, eur, paris_shop, register_paris
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, InvalidTransaction, NotFound
from store_sync.domain.voucher_holds import HELD, PENDING, REFUSED, VoucherHold, code_hash, on_the_bus
from store_sync.service_layer import hold_answers, voucher_holds

CODE = "TRD-7KQ2-M9WD-4HTZ-R8CE"


def _ask(shop_id: str, hold_id: str = "H-1", amount: int = 2000, code: str = CODE) -> commands.RequestVoucherHold:
    return commands.RequestVoucherHold(shop_id, hold_id, code_hash(code), eur(amount), reference="T-1")


def _held(request_id: str, requested_by: str | None = "store-sync") -> commands.RecordVoucherHeld:
    return commands.RecordVoucherHeld(request_id, requested_by, "V-1", NOW + timedelta(minutes=15), NOW)


async def test_a_hold_request_goes_to_trade_in_by_the_codes_hash_with_the_shops_market_and_a_bus_id() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    hold = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    [asked] = twin.store.published(trade_in.VoucherHoldRequested)
    assert asked.code_hash == voucher_code_hash(CODE)
    assert (asked.hold_id, asked.shop_id, asked.market) == (on_the_bus(shop_id, "H-1"), shop_id, "FR")
    assert (asked.requested_by, asked.reference, asked.amount.amount_minor) == ("store-sync", "T-1", 2000)
    assert hold.status == PENDING
    assert CODE not in repr(twin.tables.voucher_holds), "the code is kept as its hash only"


async def test_a_code_typed_in_any_case_and_spacing_is_the_same_hash() -> None:
    assert code_hash("trd 7kq2 m9wd 4htz r8ce") == code_hash(CODE) == code_hash("7KQ2M9WD4HTZR8CE")


def test_a_code_that_cannot_be_one_is_refused_naming_the_code() -> None:
    with pytest.raises(InvalidTransaction) as refused:
        code_hash("é!")
    assert refused.value.field == "code"


async def test_the_same_hold_id_with_the_same_request_is_one_request_and_asks_trade_in_once() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    first = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    again = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    assert again.request_id == first.request_id
    assert len(twin.store.published(trade_in.VoucherHoldRequested)) == 1


async def test_the_same_hold_id_for_another_amount_is_a_conflict_naming_the_hold_id() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    with pytest.raises(Conflict) as refused:
        await voucher_holds.request_hold(_ask(shop_id, amount=2500), twin.uow(), twin.clock)
    assert refused.value.field == "hold_id"
    assert len(twin.store.published(trade_in.VoucherHoldRequested)) == 1


def test_two_shops_choosing_the_same_hold_id_ask_for_two_holds_on_the_bus() -> None:
    assert on_the_bus("PAR-1", "H-1") != on_the_bus("LYON-2", "H-1")
    assert len(on_the_bus("PAR-1", "x" * 100)) <= 64, "a bus hold id fits trade-in's bound"


@pytest.mark.parametrize(
    ("amount", "field"), [(Money(2000, "USD"), "amount.currency"), (Money(0, "EUR"), "amount.amount_minor")]
)
def test_a_hold_is_for_more_than_nothing_in_the_shops_currency(amount: Money, field: str) -> None:
    with pytest.raises(InvalidTransaction) as refused:
        VoucherHold.request(paris_shop(), "H-1", code_hash(CODE), amount, None, NOW)
    assert refused.value.field == field


async def test_trade_ins_answer_to_one_of_its_holds_is_recorded_once() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    hold = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    assert await hold_answers.when_voucher_held_record_it(_held(hold.request_id), twin.uow())
    refused_late = commands.RecordHoldRefused(hold.request_id, "store-sync", "V-1", "expired", NOW)
    assert not await hold_answers.when_hold_refused_record_it(refused_late, twin.uow())
    now = await voucher_holds.hold_of(shop_id, "H-1", twin.uow())
    assert (now.status, now.voucher_id, now.held_until) == (HELD, "V-1", NOW + timedelta(minutes=15))


async def test_a_refusal_is_recorded_with_its_reason() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    hold = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    refusal = commands.RecordHoldRefused(hold.request_id, "store-sync", "V-1", "insufficient_balance", NOW)
    assert await hold_answers.when_hold_refused_record_it(refusal, twin.uow())
    now = await voucher_holds.hold_of(shop_id, "H-1", twin.uow())
    assert (now.status, now.refusal) == (REFUSED, "insufficient_balance")


async def test_an_answer_to_another_requesters_hold_or_to_no_hold_of_ours_changes_nothing() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    hold = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    assert not await hold_answers.when_voucher_held_record_it(_held(hold.request_id, "orders"), twin.uow())
    assert not await hold_answers.when_voucher_held_record_it(_held("order-hold-9"), twin.uow())
    assert (await voucher_holds.hold_of(shop_id, "H-1", twin.uow())).status == PENDING


async def test_another_shops_hold_is_not_found() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    with pytest.raises(NotFound):
        await voucher_holds.hold_of("LYON-2", "H-1", twin.uow())


async def test_a_waiting_request_returns_as_soon_as_the_answer_is_on_its_row() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    hold = await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)

    async def trade_in_answers() -> None:
        await asyncio.sleep(0.05)
        await hold_answers.when_voucher_held_record_it(_held(hold.request_id), twin.uow())

    answering = asyncio.create_task(trade_in_answers())
    got = await voucher_holds.answered(shop_id, "H-1", twin.uow, wait_s=30, poll_s=0.01)
    await answering
    assert got.status == HELD


async def test_a_request_with_no_answer_in_time_is_still_pending() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    await voucher_holds.request_hold(_ask(shop_id), twin.uow(), twin.clock)
    got = await voucher_holds.answered(shop_id, "H-1", twin.uow, wait_s=0, poll_s=0.01)
    assert got.status == PENDING
