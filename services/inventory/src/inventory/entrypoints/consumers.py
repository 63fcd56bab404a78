"""Inventory's Kafka subscribers: contract event -> command -> handler, nothing else.

The handlers join the consuming transaction, so the processed-event record, the stock change and
the events it publishes commit together. A rule an event breaks (unknown SKU, wrong currency) is
not worth retrying: it goes to the dead-letter topic with the reason, to be replayed once fixed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from inventory.domain import commands
from inventory.domain.errors import InventoryError
from inventory.service_layer import collection, counts, reservations, returns, setup
from inventory.service_layer import sales as selling
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_contracts import EnvelopeHeader, catalog, inventory, sales, store
from reloop_shared.consumer.errors import Unprocessable
from reloop_shared.consumer.subscription import Delivery, Subscription
from reloop_shared.db.types import Connection

JoinedUnitOfWork = Callable[[Connection], InventoryUnitOfWork]


def sale_command(event: sales.SaleRecorded) -> commands.ApplySale:
    return commands.ApplySale(
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.location_id,
        market=event.market,
        currency=event.total.currency,
        sold_at=event.sold_at,
        lines=tuple(
            commands.SoldLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id) for line in event.lines
        ),
        reservation_id=event.reservation_id,
    )


def return_command(event: sales.ReturnRecorded) -> commands.ApplyReturn:
    return commands.ApplyReturn(
        return_id=event.return_id,
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.location_id,
        returned_at=event.returned_at,
        lines=tuple(
            commands.ReturnedLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id)
            for line in event.lines
        ),
    )


def reserve_command(event: inventory.ReservationRequested) -> commands.Reserve:
    return commands.Reserve(
        reservation_id=event.reservation_id,
        channel=event.channel,
        market=event.market,
        lines=tuple(
            commands.RequestedLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id)
            for line in event.lines
        ),
        location_id=event.location_id,
        hold_seconds=event.hold_seconds,
    )


async def _refuse_broken_rules(work: Awaitable[Any]) -> None:
    try:
        await work
    except InventoryError as error:
        raise Unprocessable(f"{error.field or 'event'}: {error}") from error


def subscriptions(unit_of_work: JoinedUnitOfWork) -> list[Subscription]:
    async def when_return_recorded(event: sales.ReturnRecorded, _: EnvelopeHeader, conn: Connection) -> None:
        await _refuse_broken_rules(returns.apply_return(return_command(event), unit_of_work(conn)))

    async def when_reservation_requested(
        event: inventory.ReservationRequested, _: EnvelopeHeader, conn: Connection
    ) -> None:
        await _refuse_broken_rules(reservations.reserve(reserve_command(event), unit_of_work(conn)))

    async def when_release_requested(
        event: inventory.ReservationReleaseRequested, _: EnvelopeHeader, conn: Connection
    ) -> None:
        command = commands.ReleaseReservation(event.reservation_id, event.reason)
        await _refuse_broken_rules(reservations.release(command, unit_of_work(conn)))

    async def when_extension_requested(
        event: inventory.ReservationExtensionRequested, _: EnvelopeHeader, conn: Connection
    ) -> None:
        command = commands.ExtendReservation(event.reservation_id, event.hold_seconds)
        await _refuse_broken_rules(reservations.extend(command, unit_of_work(conn)))

    async def when_sku_listed(event: catalog.SkuListed, _: EnvelopeHeader, conn: Connection) -> None:
        command = commands.RecordSku(event.sku, event.kind, event.grade, event.product_id)
        await setup.record_sku(command, unit_of_work(conn))

    async def when_sku_discontinued(event: catalog.SkuDiscontinued, _: EnvelopeHeader, conn: Connection) -> None:
        await setup.discontinue_sku(commands.DiscontinueSku(event.sku), unit_of_work(conn))

    one_at_a_time = Subscription.per_event(
        "inventory",
        [sales.TRANSACTIONS, inventory.RESERVATION_REQUESTS],
        {
            sales.ReturnRecorded: when_return_recorded,
            inventory.ReservationRequested: when_reservation_requested,
            inventory.ReservationReleaseRequested: when_release_requested,
            inventory.ReservationExtensionRequested: when_extension_requested,
        },
    )

    async def apply(deliveries: Sequence[Delivery], conn: Connection) -> None:
        """Runs of consecutive sales are applied together (one read and one write of each kind for
        the whole run); anything else, one event at a time, in order."""
        run: list[selling.SaleToApply] = []
        for delivery in deliveries:
            if isinstance(delivery.event, sales.SaleRecorded):
                run.append(
                    selling.SaleToApply(
                        sale_command(delivery.event),
                        delivery.envelope.correlation_id,
                        str(delivery.event_id),
                        delivery.headers,
                    )
                )
                continue
            await _apply_sales(run, conn)
            run = []
            await one_at_a_time.apply([delivery], conn)
        await _apply_sales(run, conn)

    async def _apply_sales(run: list[selling.SaleToApply], conn: Connection) -> None:
        if run:
            await _refuse_broken_rules(selling.apply_sales(run, unit_of_work(conn)))

    async def when_shop_registered(event: store.ShopRegistered, _: EnvelopeHeader, conn: Connection) -> None:
        command = commands.RegisterLocation(event.shop_id, event.kind, event.market, event.name)
        await setup.register_location(command, unit_of_work(conn))

    async def when_stock_counted(event: store.StockCounted, _: EnvelopeHeader, conn: Connection) -> None:
        command = commands.CountStock(
            event.count_id,
            event.shop_id,
            event.reason,
            {line.sku: line.counted for line in event.accessories},
            tuple(event.units_present) if event.units_present is not None else None,
        )
        await _refuse_broken_rules(counts.count_stock(command, unit_of_work(conn)))

    async def when_shipment_dispatched(event: store.ShipmentDispatched, _: EnvelopeHeader, conn: Connection) -> None:
        command = commands.DispatchShipment(
            event.shipment_id,
            event.from_location_id,
            event.to_location_id,
            tuple(
                commands.ShippedDevice(
                    u.unit_id,
                    u.kind,
                    u.source_id,
                    u.sku,
                    u.identifier.kind if u.identifier else None,
                    u.identifier.value if u.identifier else None,
                )
                for u in event.units
            ),
        )
        await _refuse_broken_rules(collection.dispatch_shipment(command, unit_of_work(conn)))

    async def when_shipment_received(event: store.ShipmentReceived, _: EnvelopeHeader, conn: Connection) -> None:
        command = commands.ReceiveShipment(
            event.shipment_id, event.to_location_id, tuple(event.received_unit_ids), tuple(event.missing_unit_ids)
        )
        await _refuse_broken_rules(collection.receive_shipment(command, unit_of_work(conn)))

    return [
        Subscription.batched(
            "inventory",
            [sales.TRANSACTIONS, inventory.RESERVATION_REQUESTS],
            [sales.SaleRecorded, *one_at_a_time.accepts],
            apply,
        ),
        Subscription.per_event(
            "inventory-shops",
            [store.SHOPS, store.SHIPMENTS],
            {
                store.ShopRegistered: when_shop_registered,
                store.StockCounted: when_stock_counted,
                store.ShipmentDispatched: when_shipment_dispatched,
                store.ShipmentReceived: when_shipment_received,
            },
        ),
        Subscription.per_event(
            "inventory-catalog",
            [catalog.SKUS],
            {catalog.SkuListed: when_sku_listed, catalog.SkuDiscontinued: when_sku_discontinued},
        ),
    ]
