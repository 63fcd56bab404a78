"""Inventory's answers to orders' holds (inventory.reservations.v1), consumed: a confirmed hold is
paid once however often it arrives, a hold that cannot be paid is dead-lettered with its reason,
a rejected, lapsed, moved or broken hold changes the order, and a hold orders never asked for is
none of its business."""

from __future__ import annotations

from typing import Literal

from orders.adapters.local_payments import DECLINED_TOKEN
from orders.domain.lines import LineStatus, OrderStatus, PaymentKind, Substitute
from orders.domain.rules import ACCESSORY, DEVICE
from reloop_contracts import inventory, sales
from reloop_contracts import orders as contract
from services.orders.tests.messaging.given import (
    WAREHOUSE,
    Orders,
    checked_out,
    held,
    order_of,
    unique,
)
from services.orders.tests.messaging.under_test import Storefront

Outcome = Literal["expired", "released", "consumed"]


def _ended(reservation_id: str, outcome: Outcome, storefront: Storefront) -> inventory.ReservationEnded:
    return inventory.ReservationEnded(
        reservation_id=reservation_id, outcome=outcome, reason=outcome, ended_at=storefront.clock.now()
    )


async def test_a_confirmed_hold_is_paid_and_the_order_placed_and_recorded_as_an_online_sale(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    unit = unique("U")
    await service.deliver(held(bought.request, unit), producer="inventory")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.payment_token, order.location_id) == (OrderStatus.PLACED, None, WAREHOUSE)
    assert [p.kind for p in order.payments] == [PaymentKind.AUTHORIZATION, PaymentKind.CAPTURE]
    assert {line.kind: line.unit_id for line in order.lines} == {DEVICE: unit, ACCESSORY: None}
    [sale] = [s for s in await service.published(sales.SaleRecorded) if s.sale_id == bought.order_id]
    assert (sale.channel, sale.location_id, sale.reservation_id) == ("online", WAREHOUSE, bought.order_id)
    assert [(p.method, p.amount.amount_minor, p.reference) for p in sale.payments] == [
        ("card", 45900 + 2 * 1990, order.capture_id)
    ]
    [placed] = [p for p in await service.published(contract.OrderPlaced) if p.order_id == bought.order_id]
    assert {line.unit_id for line in placed.lines} == {unit, None}


async def test_a_confirmed_hold_delivered_twice_takes_payment_once_and_records_one_sale(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    await service.deliver(held(bought.request, unique("U")), producer="inventory", copies=2)

    order = await order_of(service, bought.order_id)
    assert order.status is OrderStatus.PLACED
    assert [p.kind for p in order.payments] == [PaymentKind.AUTHORIZATION, PaymentKind.CAPTURE]
    sold = [s for s in await service.published(sales.SaleRecorded) if s.sale_id == bought.order_id]
    assert len(sold) == 1


async def test_a_declined_card_gives_the_hold_back_and_cancels_the_order(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront, token=DECLINED_TOKEN)
    await service.deliver(held(bought.request, unique("U")), producer="inventory")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.payment_token) == (OrderStatus.PAYMENT_FAILED, None)
    assert [p.kind for p in order.payments] == [PaymentKind.DECLINED]
    releases = await service.published(inventory.ReservationReleaseRequested)
    assert [r.reason for r in releases if r.reservation_id == bought.request.reservation_id] == ["payment_declined"]
    cancelled = await service.published(contract.OrderCancelled)
    assert [c.reason for c in cancelled if c.order_id == bought.order_id] == ["payment_declined: card_declined"]
    assert [s for s in await service.published(sales.SaleRecorded) if s.sale_id == bought.order_id] == []


async def test_a_hold_without_a_unit_is_dead_lettered_with_its_reason_and_the_next_one_waits_until_it_is_given_up(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    hold = held(bought.request, unique("U"))
    no_unit = hold.model_copy(update={"lines": [line.model_copy(update={"unit_id": None}) for line in hold.lines]})
    await service.deliver(no_unit, producer="inventory")

    letters = [d for d in await service.dead_letters() if d.key == bought.request.reservation_id.encode()]
    [letter] = letters
    assert letter.original_topic.endswith(inventory.RESERVATIONS.name)
    phone_line = bought.line(DEVICE)
    assert letter.reason == (
        f"ReservationMismatch: reservation {bought.request.reservation_id} does not hold line {phone_line}"
    )
    order = await order_of(service, bought.order_id)
    assert (order.status, order.payments) == (OrderStatus.RESERVING, [])

    await service.deliver(held(bought.request, unique("U")), producer="inventory")
    assert (await order_of(service, bought.order_id)).status is OrderStatus.RESERVING, "held behind the dead letter"
    await service.discard(letter)
    assert (await order_of(service, bought.order_id)).status is OrderStatus.PLACED
    assert len([d for d in await service.dead_letters() if d.key == bought.request.reservation_id.encode()]) == 1


async def test_a_rejected_hold_offers_the_substitutes_inventory_found(service: Orders, storefront: Storefront) -> None:
    bought = await checked_out(service, storefront)
    phone_line = bought.line(DEVICE)
    phone = next(line.sku for line in bought.request.lines if line.line_id == phone_line)
    offer = inventory.Substitute(line_id=phone_line, sku=phone, unit_id=unique("U"), location_id="SHOP-LYON-1")
    rejected = inventory.ReservationRejected(
        reservation_id=bought.request.reservation_id,
        reason="unit_taken",
        detail="sold in a shop meanwhile",
        failed_lines=[phone_line],
        substitutes=[offer],
    )
    await service.deliver(rejected, producer="inventory")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.unavailable_lines) == (OrderStatus.STOCK_UNAVAILABLE, [phone_line])
    assert order.substitutes == [Substitute(phone_line, phone, offer.unit_id, "SHOP-LYON-1")]


async def test_a_lapsed_hold_cancels_the_order_and_a_released_one_changes_nothing(
    service: Orders, storefront: Storefront
) -> None:
    lapsed, released = await checked_out(service, storefront), await checked_out(service, storefront)
    await service.deliver(
        _ended(lapsed.request.reservation_id, "expired", storefront),
        _ended(released.request.reservation_id, "released", storefront),
        producer="inventory",
    )

    assert (await order_of(service, lapsed.order_id)).status is OrderStatus.CANCELLED
    assert (await order_of(service, released.order_id)).status is OrderStatus.RESERVING
    cancelled = await service.published(contract.OrderCancelled)
    assert [(c.order_id, c.reason) for c in cancelled if c.order_id in (lapsed.order_id, released.order_id)] == [
        (lapsed.order_id, "reservation_expired")
    ]


async def test_a_held_unit_moved_before_the_sale_is_followed_without_telling_the_customer(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    first, second = unique("U"), unique("U")
    moved = inventory.ReservationReallocated(
        reservation_id=bought.request.reservation_id,
        line_id=bought.line(DEVICE),
        previous_unit_id=first,
        unit_id=second,
        location_id="WH-LYON",
        reason="unit_failed_inspection",
    )
    await service.deliver(moved, producer="inventory")

    line = (await order_of(service, bought.order_id)).line(bought.line(DEVICE))
    assert (line.unit_id, line.location_id) == (second, "WH-LYON")
    changes = await service.published(contract.OrderLineChanged)
    assert [c for c in changes if c.order_id == bought.order_id] == []


async def test_lines_broken_before_the_sale_are_dropped_and_the_order_goes_with_its_last_line(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    broken = [
        inventory.ReservationBroken(
            reservation_id=bought.request.reservation_id, line_id=line_id, unit_id=unique("U"), reason="unit_lost"
        )
        for line_id in (bought.line(DEVICE), bought.line(ACCESSORY))
    ]
    await service.deliver(broken[0], producer="inventory")
    order = await order_of(service, bought.order_id)
    assert (order.status, order.line(bought.line(DEVICE)).status) == (OrderStatus.RESERVING, LineStatus.DROPPED)

    await service.deliver(broken[1], producer="inventory")
    order = await order_of(service, bought.order_id)
    assert (order.status, order.cancel_reason, order.payments) == (
        OrderStatus.CANCELLED,
        "stock_unavailable: unit_lost",
        [],
    )


async def test_outcomes_of_a_hold_orders_never_asked_for_are_skipped_not_dead_lettered(
    service: Orders, storefront: Storefront
) -> None:
    bought = await checked_out(service, storefront)
    shops_hold = held(bought.request, unique("U")).model_copy(update={"reservation_id": unique("till-hold")})
    await service.deliver(shops_hold, _ended(shops_hold.reservation_id, "expired", storefront), producer="inventory")

    assert [d for d in await service.dead_letters() if d.key == shops_hold.reservation_id.encode()] == []
    assert (await order_of(service, bought.order_id)).status is OrderStatus.RESERVING
    assert [
        s for s in await service.published(sales.SaleRecorded) if s.reservation_id == shops_hold.reservation_id
    ] == []
