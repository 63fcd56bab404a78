"""Sales paid with vouchers arrive as `SaleRecorded` from both channels and redeem through the
same consumer engine the service runs (in memory here: exactly once per event, dead letters); their
returns arrive as `ReturnRecorded` on the same topic, and online lines that could not be served as
`OrderLineChanged`, and put store credit back on the vouchers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from reloop_contracts.orders import OrderLineChanged
from reloop_contracts.sales import ReturnRecorded, SaleRecorded
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_shared.clock import FixedClock
from reloop_shared.memory_service import InMemoryService
from services.trade_in.tests.voucher_fakes import InMemoryVoucherUnitOfWork, VoucherStoreTables, VoucherTwin
from trade_in.domain.vouchers import (
    UNKNOWN_VOUCHER,
    IssueVoucher,
    VoucherOverdrawn,
    VoucherPayment,
    VoucherRedeemed,
    VoucherRefund,
    VoucherRefunded,
)
from trade_in.entrypoints.voucher_consumers import (
    redemption,
    refund_of_a_dropped_line,
    refund_onto_vouchers,
    subscription,
)
from trade_in.service_layer import vouchers

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def money(cents: int) -> dict[str, Any]:
    return {"amount_minor": cents, "currency": "EUR"}


def a_sale(sale_id: str, payments: list[dict[str, Any]], *, channel: str = "own_shop") -> SaleRecorded:
    total = sum(p["amount"]["amount_minor"] for p in payments)
    return SaleRecorded.model_validate(
        {
            "sale_id": sale_id,
            "channel": channel,
            "location_id": "PAR-01" if channel != "online" else "WH-1",
            "market": "FR",
            "sold_at": NOW.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "unit_price": money(total)}],
            "payments": payments,
            "total": money(total),
        }
    )


def test_a_sale_without_a_voucher_line_asks_nothing_of_vouchers() -> None:
    assert redemption(a_sale("S-1", [{"method": "card", "amount": money(1_000)}])) is None


def test_voucher_lines_become_one_command_with_their_code_hashes_holds_and_the_basket() -> None:
    digest = voucher_code_hash("TRD-2222-2222-2222-2222")
    sale = a_sale(
        "ORD-1",
        [
            {"method": "card", "amount": money(6_000)},
            {"method": "voucher", "amount": money(4_000), "voucher_code_hash": digest, "reference": "H-1"},
        ],
        channel="online",
    )
    command = redemption(sale)
    assert command is not None
    assert (command.channel, command.shop_id, command.basket) == ("online", None, Money(10_000, "EUR"))
    assert command.payments == (VoucherPayment(digest, Money(4_000, "EUR"), "H-1"),)


def test_a_line_written_before_hashes_travelled_names_its_voucher_by_the_hash_of_its_clear_code() -> None:
    old = a_sale("S-0", [{"method": "voucher", "amount": money(1_000), "voucher_code": "trd 2222-2222-2222-2222"}])
    command = redemption(old)
    assert command is not None
    assert [p.code_hash for p in command.payments] == [voucher_code_hash("TRD-2222-2222-2222-2222")]


async def test_a_shop_sale_delivered_twice_redeems_once_and_an_unknown_code_is_told() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    command = IssueVoucher("FR", Money(5_000, "EUR"), NOW + timedelta(days=30))
    issued = await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    digest, forged_digest = voucher_code_hash(issued.code), voucher_code_hash("TRD-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    paid = a_sale("S-1", [{"method": "voucher", "amount": money(2_000), "voucher_code_hash": digest}])
    forged = a_sale("S-2", [{"method": "voucher", "amount": money(900), "voucher_code_hash": forged_digest}])
    async with service:
        await service.deliver(paid, forged, producer="store-sync", copies=2)
    assert [type(e) for e in twin.events[1:]] == [VoucherRedeemed, VoucherOverdrawn]
    assert twin.balance(issued.voucher_id) == Money(3_000, "EUR")
    assert await service.dead_letters() == []
    assert [e.voucher_id for e in twin.store.published(contract.VoucherOverdrawn)] == [UNKNOWN_VOUCHER]


async def test_a_sale_recorded_before_hashes_travelled_still_redeems_its_clear_code() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    command = IssueVoucher("FR", Money(5_000, "EUR"), NOW + timedelta(days=30))
    issued = await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    old = a_sale("S-old", [{"method": "voucher", "amount": money(1_500), "voucher_code": issued.code.lower()}])
    async with service:
        await service.deliver(old, producer="store-sync")
    assert [(e.voucher_id, e.sale_id) for e in twin.store.published(contract.VoucherRedeemed)] == [
        (issued.voucher_id, "S-old")
    ]
    assert twin.balance(issued.voucher_id) == Money(3_500, "EUR")


def a_return(
    return_id: str, sale_id: str, refunds: list[dict[str, Any]], *, channel: str = "own_shop"
) -> ReturnRecorded:
    total = sum(r["amount"]["amount_minor"] for r in refunds)
    return ReturnRecorded.model_validate(
        {
            "return_id": return_id,
            "sale_id": sale_id,
            "channel": channel,
            "location_id": "PAR-01" if channel != "online" else "WH-1",
            "market": "FR",
            "returned_at": (NOW + timedelta(days=2)).isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "refund": money(total)}],
            "refunds": refunds,
        }
    )


def test_a_return_paid_back_otherwise_or_not_telling_how_asks_nothing_of_vouchers() -> None:
    assert refund_onto_vouchers(a_return("R-1", "S-1", [{"method": "card", "amount": money(1_000)}])) is None
    untold = a_return("R-2", "S-1", [{"method": "card", "amount": money(1_000)}]).model_copy(update={"refunds": []})
    assert refund_onto_vouchers(untold) is None


def test_voucher_refund_lines_become_one_command_naming_the_vouchers_by_hash_and_the_shop() -> None:
    digest = voucher_code_hash("TRD-2222-2222-2222-2222")
    returned = a_return(
        "R-1",
        "S-1",
        [
            {"method": "voucher", "amount": money(4_000), "voucher_code_hash": digest, "reference": "H-1"},
            {"method": "cash", "amount": money(1_000)},
        ],
    )
    command = refund_onto_vouchers(returned)
    assert command is not None
    assert (command.return_id, command.sale_id, command.channel, command.shop_id) == (
        "R-1",
        "S-1",
        "own_shop",
        "PAR-01",
    )
    assert command.refunds == (VoucherRefund(digest, Money(4_000, "EUR")),)


async def test_a_sale_and_its_return_in_one_batch_delivered_twice_redeem_then_refund_once() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    command = IssueVoucher("FR", Money(20_000, "EUR"), NOW + timedelta(days=30))
    issued = await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    digest = voucher_code_hash(issued.code)
    paid = a_sale("S-1", [{"method": "voucher", "amount": money(12_000), "voucher_code_hash": digest}])
    returned = a_return("R-1", "S-1", [{"method": "voucher", "amount": money(5_000), "voucher_code_hash": digest}])
    async with service:
        await service.deliver(paid, returned, producer="store-sync", copies=2)
        await service.deliver(returned.model_copy(), producer="store-sync")  # published again, a new event id
    assert [type(e) for e in twin.events[1:]] == [VoucherRedeemed, VoucherRefunded]
    assert twin.balance(issued.voucher_id) == Money(13_000, "EUR")
    [told] = twin.store.published(contract.VoucherRefunded)
    assert (told.voucher_id, told.amount.amount_minor, told.sale_id, told.return_id, told.shop_id) == (
        issued.voucher_id,
        5_000,
        "S-1",
        "R-1",
        "PAR-01",
    )
    assert await service.dead_letters() == []


async def test_a_return_naming_a_code_no_voucher_has_credits_nothing_and_is_kept_as_a_shortfall() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    digest = voucher_code_hash("TRD-ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    returned = a_return("R-9", "S-9", [{"method": "voucher", "amount": money(900), "voucher_code_hash": digest}])
    async with service:
        await service.deliver(returned, producer="orders", copies=2)
    assert twin.store.published(contract.VoucherRefunded) == []
    assert await service.dead_letters() == []
    [kept] = twin.store.tables.vouchers.refund_shortfalls
    assert (kept.return_id, kept.voucher_id, kept.reason, kept.asked) == (
        "R-9",
        None,
        "unknown_code",
        Money(900, "EUR"),
    )


def a_dropped_line(order_id: str, line_id: str, refunds: list[dict[str, Any]]) -> OrderLineChanged:
    refunded = sum(r["amount"]["amount_minor"] for r in refunds)
    return OrderLineChanged.model_validate(
        {
            "order_id": order_id,
            "line_id": line_id,
            "change": "dropped",
            "refunded": money(refunded),
            "refunds": refunds,
            "changed_at": (NOW + timedelta(hours=2)).isoformat(),
        }
    )


def test_a_substituted_line_or_a_dropped_one_paid_back_by_card_asks_nothing_of_vouchers() -> None:
    substituted = OrderLineChanged.model_validate(
        {"order_id": "O-1", "line_id": "L-1", "change": "substituted", "unit_id": "U-2", "changed_at": NOW}
    )
    assert refund_of_a_dropped_line(substituted) is None
    assert refund_of_a_dropped_line(a_dropped_line("O-1", "L-1", [{"method": "card", "amount": money(990)}])) is None


async def test_an_online_line_that_could_not_be_served_puts_its_voucher_share_back_once() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    command = IssueVoucher("FR", Money(20_000, "EUR"), NOW + timedelta(days=30))
    issued = await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    digest = voucher_code_hash(issued.code)
    paid = a_sale(
        "O-7", [{"method": "voucher", "amount": money(12_000), "voucher_code_hash": digest}], channel="online"
    )
    onto_voucher = {"method": "voucher", "amount": money(2_000), "voucher_code_hash": digest}
    dropped = a_dropped_line("O-7", "L-2", [onto_voucher, {"method": "card", "amount": money(500)}])
    async with service:
        await service.deliver(paid, producer="orders")
        await service.deliver(dropped, producer="orders", copies=2)
        await service.deliver(dropped.model_copy(), producer="orders")  # published again, a new event id
    assert twin.balance(issued.voucher_id) == Money(20_000 - 12_000 + 2_000, "EUR")
    [told] = twin.store.published(contract.VoucherRefunded)
    assert (told.sale_id, told.return_id, told.channel, told.shop_id) == ("O-7", "O-7/line/L-2", "online", None)
    assert await service.dead_letters() == []
