"""Trade-in's answers to orders' voucher holds (trade-in.vouchers.v1), consumed: the order is paid
once its stock and every voucher are held, exactly once however often an answer arrives; a refusal
fails it; and the topic's other facts, or holds tills asked for, are skipped, not dead-lettered."""

from __future__ import annotations

from datetime import timedelta

from orders.domain.lines import OrderStatus, PaymentKind
from orders.domain.vouchers import VoucherState
from reloop_contracts import PositiveMoney, inventory, sales, trade_in
from reloop_contracts.voucher_codes import voucher_code_hash
from services.orders.tests.messaging.given import (
    CHARGER_MINOR,
    PHONE_MINOR,
    Orders,
    checked_out,
    held,
    hold_requests,
    order_of,
    unique,
    voucher_held,
    voucher_refused,
)
from services.orders.tests.messaging.under_test import Storefront

TOTAL = PHONE_MINOR + 2 * CHARGER_MINOR


def code() -> str:
    return unique("TRD")


async def test_an_order_is_placed_once_its_stock_and_its_voucher_are_held_and_the_sale_names_the_voucher_by_hash(
    service: Orders, storefront: Storefront
) -> None:
    voucher = code()
    bought = await checked_out(service, storefront, vouchers=((voucher, 10000),))
    [request] = await hold_requests(service, bought.order_id)
    assert (request.code_hash, request.requested_by, request.amount.amount_minor) == (
        voucher_code_hash(voucher),
        "orders",
        10000,
    )

    await service.deliver(voucher_held(request, unique("V")), producer="trade-in", copies=2)
    await service.deliver(held(bought.request, unique("U")), producer="inventory")

    order = await order_of(service, bought.order_id)
    assert order.status is OrderStatus.PLACED
    assert [(p.kind, p.amount.amount_minor) for p in order.payments] == [
        (PaymentKind.AUTHORIZATION, TOTAL - 10000),
        (PaymentKind.CAPTURE, TOTAL - 10000),
    ]
    [sale] = [s for s in await service.published(sales.SaleRecorded) if s.sale_id == bought.order_id]
    assert [(p.method, p.amount.amount_minor, p.reference, p.voucher_code_hash) for p in sale.payments] == [
        ("voucher", 10000, request.hold_id, voucher_code_hash(voucher)),
        ("card", TOTAL - 10000, order.capture_id, None),
    ]


async def test_a_refused_voucher_fails_the_order_and_gives_its_stock_back(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront, vouchers=((code(), 10000), (code(), 5000)))
    first, second = await hold_requests(service, bought.order_id)
    await service.deliver(held(bought.request, unique("U")), producer="inventory")
    # Two vouchers' answers travel on two keys: delivered one after the other, so the first is in.
    await service.deliver(voucher_held(first, unique("V")), producer="trade-in")
    await service.deliver(voucher_refused(second, unique("V"), "expired"), producer="trade-in")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.PAYMENT_FAILED, "voucher_refused:expired")
    assert [v.state for v in order.vouchers] == [VoucherState.HELD, VoucherState.REFUSED]
    releases = await service.published(inventory.ReservationReleaseRequested)
    assert [r.reason for r in releases if r.reservation_id == bought.order_id] == ["voucher_refused:expired"]
    assert [s for s in await service.published(sales.SaleRecorded) if s.sale_id == bought.order_id] == []


async def test_the_topics_other_facts_and_holds_asked_by_tills_are_skipped_not_dead_lettered(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront, vouchers=((code(), 10000),))
    [request] = await hold_requests(service, bought.order_id)
    voucher_id = unique("V")
    issued = trade_in.VoucherIssued(
        voucher_id=voucher_id,
        market="FR",
        amount=PositiveMoney(amount_minor=20000, currency="EUR"),
        code_hint="R8CE",
        expires_at=request.requested_at + timedelta(days=365),
        issued_at=request.requested_at,
    )
    tills = trade_in.VoucherHeld(
        voucher_id=voucher_id,
        hold_id=unique("till"),
        amount=request.amount,
        held_until=request.requested_at + timedelta(minutes=5),
        requested_by="store-sync",
        at=request.requested_at,
    )
    unknown = trade_in.VoucherHoldRefused(
        hold_id=unique("till"),
        voucher_id="unknown",
        reason="unknown_code",
        requested_by="store-sync",
        at=request.requested_at,
    )
    await service.deliver(issued, tills, unknown, producer="trade-in")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.vouchers[0].state) == (OrderStatus.RESERVING, VoucherState.REQUESTED)
    keys = {voucher_id.encode(), b"unknown"}
    assert [letter for letter in await service.dead_letters() if letter.key in keys] == []
