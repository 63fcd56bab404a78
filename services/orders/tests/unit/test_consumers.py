"""Orders' consumers on faststream's in-memory broker and the twin: each event of another service
is translated to a command and applied once, in the consuming transaction."""

from __future__ import annotations

from datetime import timedelta

from orders.domain.lines import OrderStatus
from orders.domain.rules import DEVICE
from reloop_contracts import NonNegativeMoney, catalog, inventory, sales
from reloop_contracts.privacy import ErasureCompleted, ErasureRequested
from reloop_shared.outbox.writer import OutboxWriter
from services.orders.tests.fakes import NOW, OrdersTwin, consuming_service
from services.orders.tests.given import UNIT, WAREHOUSE, checked_out

PHONE = "IPH14-128-BLU-EX"


def _reserved(order_id: str, lines: list[inventory.RequestedLine], unit: str | None) -> inventory.ReservationConfirmed:
    return inventory.ReservationConfirmed(
        reservation_id=order_id,
        lines=[
            inventory.ReservedLine(
                line_id=line.line_id,
                kind=line.kind,
                sku=line.sku,
                quantity=line.quantity,
                unit_id=unit if line.kind == DEVICE else None,
                location_id=WAREHOUSE,
            )
            for line in lines
        ],
        expires_at=NOW + timedelta(minutes=15),
    )


async def test_the_catalogs_listing_and_price_reach_the_storefront() -> None:
    twin = OrdersTwin()
    since = twin.clock.now() - timedelta(minutes=1)
    async with consuming_service(twin) as service:
        await service.deliver(
            catalog.SkuListed(
                sku=PHONE, product_id="iphone-14", kind="refurbished_device", title="iPhone 14", listed_at=since
            ),
            catalog.SkuPriced(
                sku=PHONE,
                market="FR",
                price=NonNegativeMoney(amount_minor=52900, currency="EUR"),
                effective_at=since,
            ),
            producer="catalog",
        )
    listing = twin.tables.listings[PHONE]
    assert (listing.kind, listing.title) == ("refurbished_device", "iPhone 14")
    assert [p.amount_minor for p in twin.tables.prices.values()] == [52900]


async def test_a_confirmed_hold_delivered_twice_takes_payment_once_and_records_one_sale() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    [requested] = twin.store.published(inventory.ReservationRequested)
    confirmed = _reserved(order.order_id, requested.lines, UNIT)
    rows = OutboxWriter("inventory").rows([confirmed])
    async with consuming_service(twin) as service:
        await service.deliver_rows(rows)
        await service.deliver_rows(rows)  # redelivered: the same event id
        sold = await service.published(sales.SaleRecorded)

    assert twin.tables.orders[order.order_id].status is OrderStatus.PLACED
    assert [sale.sale_id for sale in sold] == [order.order_id]
    assert len(twin.tables.ledger_captures) == 1


async def test_a_hold_that_does_not_fit_the_order_is_dead_lettered_and_changes_nothing() -> None:
    twin = OrdersTwin()
    order = await checked_out(twin)
    [requested] = twin.store.published(inventory.ReservationRequested)
    async with consuming_service(twin) as service:
        await service.deliver(_reserved(order.order_id, requested.lines, None), producer="inventory")
        letters = await service.dead_letters()

    assert [letter.topic for letter in letters] == [f"{inventory.RESERVATIONS.name}.dlq"]
    assert twin.tables.orders[order.order_id].status is OrderStatus.RESERVING


async def test_an_erasure_request_is_applied_and_confirmed() -> None:
    twin = OrdersTwin()
    await checked_out(twin)
    async with consuming_service(twin) as service:
        await service.deliver(
            ErasureRequested(
                request_id="req-1",
                subject_ids=[],
                customer_ids=["cust-1"],
                holders=["orders"],
                requested_at=twin.clock.now(),
            ),
            producer="privacy",
        )
        [completed] = await service.published(ErasureCompleted)
    assert (completed.request_id, completed.records_erased) == ("req-1", 2)
