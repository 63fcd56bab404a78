"""Sales paid with vouchers arrive as `SaleRecorded` from both channels and redeem through the
same consumer engine the service runs (in memory here: exactly once per event, dead letters)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from reloop_contracts import trade_in as contract
from reloop_contracts.amounts import Money
from reloop_contracts.sales import SaleRecorded
from reloop_shared.clock import FixedClock
from reloop_shared.memory_service import InMemoryService
from services.trade_in.tests.voucher_fakes import InMemoryVoucherUnitOfWork, VoucherStoreTables, VoucherTwin
from trade_in.domain.vouchers import UNKNOWN_VOUCHER, IssueVoucher, VoucherOverdrawn, VoucherPayment, VoucherRedeemed
from trade_in.entrypoints.voucher_consumers import redemption, subscription
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


def test_voucher_lines_become_one_command_with_their_codes_holds_and_the_basket() -> None:
    sale = a_sale(
        "ORD-1",
        [
            {"method": "card", "amount": money(6_000)},
            {"method": "voucher", "amount": money(4_000), "voucher_code": "TRD-2222", "reference": "H-1"},
        ],
        channel="online",
    )
    command = redemption(sale)
    assert command is not None
    assert (command.channel, command.shop_id, command.basket) == ("online", None, Money(10_000, "EUR"))
    assert command.payments == (VoucherPayment("TRD-2222", Money(4_000, "EUR"), "H-1"),)


async def test_a_shop_sale_delivered_twice_redeems_once_and_an_unknown_code_is_told() -> None:
    twin = VoucherTwin(FixedClock(NOW))
    command = IssueVoucher("FR", Money(5_000, "EUR"), NOW + timedelta(days=30))
    issued = await vouchers.issue_voucher(command, twin.unit_of_work(), twin.clock)
    service = InMemoryService[VoucherStoreTables, InMemoryVoucherUnitOfWork](
        twin.store, [subscription(twin.joining, twin.clock)], InMemoryVoucherUnitOfWork
    )
    paid = a_sale("S-1", [{"method": "voucher", "amount": money(2_000), "voucher_code": issued.code.lower()}])
    forged = a_sale("S-2", [{"method": "voucher", "amount": money(900), "voucher_code": "TRD-ZZZZ-ZZZZ-ZZZZ-ZZZZ"}])
    async with service:
        await service.deliver(paid, forged, producer="store-sync", copies=2)
    assert [type(e) for e in twin.events[1:]] == [VoucherRedeemed, VoucherOverdrawn]
    assert twin.balance(issued.voucher_id) == Money(3_000, "EUR")
    assert await service.dead_letters() == []
    assert [e.voucher_id for e in twin.store.published(contract.VoucherOverdrawn)] == [UNKNOWN_VOUCHER]
