"""Inventory's account of how it applied an online sale (inventory.sale-allocations.v1), consumed:
the stock committed, a line followed to another unit, in the order inventory moved it, a line it
could not serve dropped and refunded."""

from __future__ import annotations

from orders.domain.lines import LineStatus, OrderStatus, PaymentKind
from orders.domain.rules import ACCESSORY, DEVICE
from reloop_contracts import NonNegativeMoney, inventory
from reloop_contracts import orders as contract
from services.orders.tests.messaging.given import (
    CHARGER_MINOR,
    PHONE_MINOR,
    WAREHOUSE,
    CheckedOut,
    Orders,
    order_of,
    placed,
    unique,
)
from services.orders.tests.messaging.under_test import Storefront


def _allocated(
    bought: CheckedOut, unit: str, storefront: Storefront, *conflicts: inventory.SaleConflict
) -> inventory.SaleAllocated:
    return inventory.SaleAllocated(
        sale_id=bought.order_id,
        channel="online",
        location_id=WAREHOUSE,
        lines=[
            inventory.AllocatedLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                unit_id=unit if line.kind == DEVICE else None,
                quantity=line.quantity,
                location_id=WAREHOUSE,
            )
            for line in bought.request.lines
        ],
        conflicts=list(conflicts),
        allocated_at=storefront.clock.now(),
    )


def _moved(bought: CheckedOut, previous: str, unit: str) -> inventory.SaleLineReallocated:
    return inventory.SaleLineReallocated(
        sale_id=bought.order_id,
        line_id=bought.line(DEVICE),
        previous_unit_id=previous,
        unit_id=unit,
        location_id="WH-LYON",
        reason="unit_already_sold",
        taken_by_sale_id=unique("till-sale"),
    )


async def _line_changes(service: Orders, order_id: str) -> list[contract.OrderLineChanged]:
    return [c for c in await service.published(contract.OrderLineChanged) if c.order_id == order_id]


async def test_an_allocated_sale_commits_the_stock_and_follows_a_unit_inventory_served_instead(
    service: Orders, storefront: Storefront
) -> None:
    bought = await placed(service, storefront)
    reserved = (await order_of(service, bought.order_id)).line(bought.line(DEVICE)).unit_id
    assert reserved is not None
    replacement = unique("U")
    conflict = inventory.SaleConflict(
        line_id=bought.line(DEVICE),
        sku=next(line.sku for line in bought.request.lines if line.kind == DEVICE),
        unit_id=reserved,
        reason="unit_not_sellable",
        resolution="reallocated",
        replacement_unit_id=replacement,
    )
    await service.deliver(_allocated(bought, replacement, storefront, conflict), producer="inventory")

    order = await order_of(service, bought.order_id)
    assert order.stock_committed
    assert order.line(bought.line(DEVICE)).unit_id == replacement
    [change] = await _line_changes(service, bought.order_id)
    assert (change.line_id, change.change, change.unit_id, change.refunded) == (
        bought.line(DEVICE),
        "substituted",
        replacement,
        None,
    )


async def test_a_sold_line_moved_twice_ends_on_the_unit_inventory_moved_it_to_last(
    service: Orders, storefront: Storefront
) -> None:
    bought = await placed(service, storefront)
    reserved = (await order_of(service, bought.order_id)).line(bought.line(DEVICE)).unit_id
    assert reserved is not None
    second, third = unique("U"), unique("U")
    # One sale's events share its key: they are applied in the order inventory wrote them.
    await service.deliver(_moved(bought, reserved, second), _moved(bought, second, third), producer="inventory")

    assert (await order_of(service, bought.order_id)).line(bought.line(DEVICE)).unit_id == third
    assert [(c.change, c.unit_id) for c in await _line_changes(service, bought.order_id)] == [
        ("substituted", second),
        ("substituted", third),
    ]


async def test_unallocated_lines_are_refunded_and_the_order_goes_with_its_last_line(
    service: Orders, storefront: Storefront
) -> None:
    bought = await placed(service, storefront)
    unallocated = [
        inventory.SaleUnallocated(
            sale_id=bought.order_id,
            line_id=line_id,
            unit_id=unique("U"),
            reason="unit_already_sold",
            taken_by_sale_id=unique("till-sale"),
        )
        for line_id in (bought.line(DEVICE), bought.line(ACCESSORY))
    ]
    await service.deliver(unallocated[0], producer="inventory")

    order = await order_of(service, bought.order_id)
    assert (order.status, order.line(bought.line(DEVICE)).status) == (OrderStatus.PLACED, LineStatus.DROPPED)
    assert [p.kind for p in order.payments][-1] is PaymentKind.REFUND
    [dropped] = await _line_changes(service, bought.order_id)
    assert (dropped.change, dropped.refunded) == ("dropped", NonNegativeMoney(amount_minor=PHONE_MINOR, currency="EUR"))

    await service.deliver(unallocated[1], producer="inventory")
    order = await order_of(service, bought.order_id)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "no_lines_left")
    refunds = [p.amount.amount_minor for p in order.payments if p.kind is PaymentKind.REFUND]
    assert refunds == [PHONE_MINOR, 2 * CHARGER_MINOR]
    cancelled = await service.published(contract.OrderCancelled)
    assert [c.reason for c in cancelled if c.order_id == bought.order_id] == ["no_lines_left"]


async def test_allocations_of_a_sale_orders_does_not_know_are_skipped_not_dead_lettered(
    service: Orders, storefront: Storefront
) -> None:
    bought = await placed(service, storefront)
    elsewhere = _allocated(bought, unique("U"), storefront).model_copy(update={"sale_id": unique("till-sale")})
    await service.deliver(elsewhere, producer="inventory")

    assert [d for d in await service.dead_letters() if d.key == elsewhere.sale_id.encode()] == []
    assert not (await order_of(service, bought.order_id)).stock_committed
