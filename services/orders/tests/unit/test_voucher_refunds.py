"""Refunds of orders paid with store-credit vouchers, on the in-memory twin: the vouchers take the
refund back first, each up to what it paid less what earlier refunds put back on it, the card the
rest through the payment port; the return published names each voucher by its hash and hold, and
the card by the provider's refund, adding up to what the lines are refunded."""

from __future__ import annotations

from orders.domain import commands
from orders.domain.lines import OrderStatus, PaymentKind
from orders.domain.model import Order
from orders.domain.rules import ACCESSORY, DEVICE
from orders.service_layer import returns, sale_allocations
from reloop_contracts import orders as orders_contract
from reloop_contracts import sales
from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import customer_headers
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CUSTOMER, delivered_with_vouchers, line_of, placed_with_vouchers

PHONE, CHARGERS = 45900, 2 * 1990
TOTAL = PHONE + CHARGERS
FIRST, SECOND = "TRD-7KQ2-M9WD-4HTZ-R8CE", "TRD-2222-3333-4444-5555"


async def returned(twin: OrdersTwin, order: Order, *line_ids: str) -> str:
    """The customer sends these lines back and the warehouse receives the parcel."""
    request = await returns.request_return(
        commands.RequestReturn(order.order_id, order.customer_id, line_ids, "changed my mind"), twin.uow(), twin.clock
    )
    await returns.receive_return(commands.ReceiveReturn(order.order_id, request.return_id), twin.uow(), twin.clock)
    return request.return_id


def recorded(twin: OrdersTwin, return_id: str) -> list[tuple[str, int, str | None, str | None]]:
    """How the published return says its refund went back: (method, amount, reference, hash)."""
    [event] = [e for e in twin.store.published(sales.ReturnRecorded) if e.return_id == return_id]
    assert sum(p.amount.amount_minor for p in event.refunds) == sum(line.refund.amount_minor for line in event.lines)
    return [(p.method, p.amount.amount_minor, p.reference, p.voucher_code_hash) for p in event.refunds]


def card_refunds(twin: OrdersTwin) -> list[tuple[str, int]]:
    return sorted((reference, amount.amount_minor) for _, reference, amount in twin.tables.ledger_refunds.values())


async def test_a_return_of_an_order_paid_by_vouchers_alone_goes_back_onto_the_vouchers_and_never_to_a_card() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 40000), (SECOND, TOTAL - 40000), token=None)

    return_id = await returned(twin, order, line_of(order, ACCESSORY))

    first = order.vouchers[0]
    assert recorded(twin, return_id) == [("voucher", CHARGERS, first.hold_id, voucher_code_hash(FIRST))]
    assert card_refunds(twin) == []
    kept = twin.tables.orders[order.order_id]
    assert [v.refunded for v in kept.vouchers] == [Money(CHARGERS, "EUR"), None]
    [request] = kept.returns
    assert (request.refund, request.store_credit, request.card_refund, request.refund_id) == (
        Money(CHARGERS, "EUR"),
        Money(CHARGERS, "EUR"),
        Money(0, "EUR"),
        None,
    )


async def test_two_returns_put_back_on_each_voucher_exactly_what_it_paid_and_no_more() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 40000), (SECOND, TOTAL - 40000), token=None)
    first, second = order.vouchers

    await returned(twin, order, line_of(order, ACCESSORY))
    phone_return = await returned(twin, order, line_of(order, DEVICE))

    assert recorded(twin, phone_return) == [
        ("voucher", 40000 - CHARGERS, first.hold_id, voucher_code_hash(FIRST)),
        ("voucher", TOTAL - 40000, second.hold_id, voucher_code_hash(SECOND)),
    ]
    kept = twin.tables.orders[order.order_id]
    assert [(v.paid, v.refunded) for v in kept.vouchers] == [
        (Money(40000, "EUR"), Money(40000, "EUR")),
        (Money(TOTAL - 40000, "EUR"), Money(TOTAL - 40000, "EUR")),
    ]
    assert kept.status is OrderStatus.RETURNED
    assert card_refunds(twin) == []


async def test_a_return_of_a_mixed_order_goes_onto_the_voucher_up_to_what_it_paid_and_the_card_gets_the_rest() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 10000))

    return_id = await returned(twin, order, line_of(order, DEVICE))

    kept = twin.tables.orders[order.order_id]
    [request] = kept.returns
    reference = f"{order.order_id}/return/{return_id}"
    assert card_refunds(twin) == [(reference, PHONE - 10000)]
    assert recorded(twin, return_id) == [
        ("voucher", 10000, kept.vouchers[0].hold_id, voucher_code_hash(FIRST)),
        ("card", PHONE - 10000, request.refund_id, None),
    ]
    refund = kept.payments[-1]
    assert (refund.payment_id, refund.amount, refund.reference) == (
        request.refund_id,
        Money(PHONE - 10000, "EUR"),
        reference,
    )


async def test_a_second_return_of_a_mixed_order_goes_wholly_to_the_card_once_the_voucher_has_its_share_back() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 10000))

    await returned(twin, order, line_of(order, DEVICE))
    chargers = await returned(twin, order, line_of(order, ACCESSORY))

    [(method, amount, _, code_hash)] = recorded(twin, chargers)
    assert (method, amount, code_hash) == ("card", CHARGERS, None)
    assert sum(amount for _, amount in card_refunds(twin)) == TOTAL - 10000  # exactly what the card paid
    assert twin.tables.orders[order.order_id].vouchers[0].refunded == Money(10000, "EUR")


async def test_a_voucher_paying_less_than_the_return_is_topped_up_by_the_card() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 1000))

    return_id = await returned(twin, order, line_of(order, ACCESSORY))

    assert [(method, amount) for method, amount, _, _ in recorded(twin, return_id)] == [
        ("voucher", 1000),
        ("card", CHARGERS - 1000),
    ]


async def test_an_order_paid_by_card_alone_is_still_refunded_wholly_to_the_card() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin)

    return_id = await returned(twin, order, line_of(order, ACCESSORY))

    [(method, amount, reference, _)] = recorded(twin, return_id)
    assert (method, amount, reference) == ("card", CHARGERS, twin.tables.orders[order.order_id].returns[0].refund_id)


async def test_a_sold_line_inventory_could_not_serve_is_refunded_onto_the_vouchers_first_too() -> None:
    twin = OrdersTwin()
    order = await placed_with_vouchers(twin, (FIRST, TOTAL), token=None)

    drop = commands.DropSoldLine(order.order_id, line_of(order, ACCESSORY), "damaged_in_warehouse")
    await sale_allocations.when_sale_unallocated_refund_the_line(drop, twin.uow(), twin.clock)

    kept = twin.tables.orders[order.order_id]
    assert kept.vouchers[0].refunded == Money(CHARGERS, "EUR")
    assert card_refunds(twin) == []
    [changed] = twin.store.published(orders_contract.OrderLineChanged)
    assert changed.refunded is not None
    assert (changed.change, changed.refunded.amount_minor) == ("dropped", CHARGERS)
    # Told on the bus the way a return is, so trade-in puts the store credit back on the voucher.
    [onto_voucher] = changed.refunds
    assert (onto_voucher.method, onto_voucher.amount.amount_minor) == ("voucher", CHARGERS)
    assert (onto_voucher.voucher_code_hash, onto_voucher.reference) == (
        kept.vouchers[0].code_hash,
        kept.vouchers[0].hold_id,
    )


async def test_a_sold_line_dropped_from_an_order_paid_partly_by_card_tells_both_refunds() -> None:
    twin = OrdersTwin()
    order = await placed_with_vouchers(twin, (FIRST, 1000))

    drop = commands.DropSoldLine(order.order_id, line_of(order, ACCESSORY), "damaged_in_warehouse")
    await sale_allocations.when_sale_unallocated_refund_the_line(drop, twin.uow(), twin.clock)

    [changed] = twin.store.published(orders_contract.OrderLineChanged)
    assert [(r.method, r.amount.amount_minor) for r in changed.refunds] == [
        ("voucher", 1000),
        ("card", CHARGERS - 1000),
    ]
    [(_, card_amount)] = card_refunds(twin)
    refund_ids = [p.payment_id for p in twin.tables.orders[order.order_id].payments if p.kind is PaymentKind.REFUND]
    assert (changed.refunds[1].reference, card_amount) == (refund_ids[0], CHARGERS - 1000)


async def test_the_customer_sees_what_went_back_as_store_credit_and_what_to_the_card() -> None:
    twin = OrdersTwin()
    order = await delivered_with_vouchers(twin, (FIRST, 10000))
    await returned(twin, order, line_of(order, DEVICE))

    async with twin.client() as client:
        answer = await client.get(f"/orders/{order.order_id}", headers=customer_headers(CUSTOMER))

    assert answer.status_code == 200, answer.text
    [voucher] = answer.json()["vouchers"]
    assert (voucher["paid"]["amount_minor"], voucher["refunded"]["amount_minor"]) == (10000, 10000)
    [request] = answer.json()["returns"]
    assert (
        request["refund"]["amount_minor"],
        request["store_credit"]["amount_minor"],
        request["card"]["amount_minor"],
    ) == (PHONE, 10000, PHONE - 10000)
