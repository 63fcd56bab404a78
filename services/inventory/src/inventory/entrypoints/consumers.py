"""Inventory's Kafka subscribers: contract event -> command -> handler, nothing else.

The handlers join the consuming transaction, so the processed-event record, the stock change and
the events it publishes commit together. A rule an event breaks (unknown SKU, wrong currency) is
not worth retrying: the engine sends the domain error to the dead-letter topic at once, with the
reason and the field, to be replayed once fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from inventory.adapters import translators as to
from inventory.service_layer import collection, counts, locations_and_skus, reservations, returns, trade_in_units
from inventory.service_layer import sales as selling
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_contracts import EnvelopeHeader, catalog, inventory, sales, store, trade_in
from reloop_shared.consumer.subscription import Delivery, Subscription

Tx = TypeVar("Tx")
"""The consuming transaction the handlers join: a PostgreSQL connection in the service, a memory
transaction in its twin; the subscriptions are the same on both."""

JoinedUnitOfWork = Callable[[Tx], InventoryUnitOfWork]


def subscriptions(unit_of_work: JoinedUnitOfWork[Tx], *, trade_in_centre: str | None = None) -> list[Subscription[Tx]]:
    """`trade_in_centre`: where trade-in units are received when their event names no location."""

    async def when_return_recorded(event: sales.ReturnRecorded, _: EnvelopeHeader, tx: Tx) -> None:
        await returns.apply_return(to.return_command(event), unit_of_work(tx))

    async def when_reservation_requested(event: inventory.ReservationRequested, _: EnvelopeHeader, tx: Tx) -> None:
        await reservations.reserve(to.reserve_command(event), unit_of_work(tx))

    async def when_release_requested(event: inventory.ReservationReleaseRequested, _: EnvelopeHeader, tx: Tx) -> None:
        await reservations.release(to.release_command(event), unit_of_work(tx))

    async def when_extension_requested(
        event: inventory.ReservationExtensionRequested, _: EnvelopeHeader, tx: Tx
    ) -> None:
        await reservations.extend(to.extend_command(event), unit_of_work(tx))

    async def when_sku_listed(event: catalog.SkuListed, _: EnvelopeHeader, tx: Tx) -> None:
        await locations_and_skus.record_sku(to.sku_command(event), unit_of_work(tx))

    async def when_sku_discontinued(event: catalog.SkuDiscontinued, _: EnvelopeHeader, tx: Tx) -> None:
        await locations_and_skus.discontinue_sku(to.discontinue_command(event), unit_of_work(tx))

    one_at_a_time = Subscription[Tx].per_event(
        "inventory",
        [sales.TRANSACTIONS, inventory.RESERVATION_REQUESTS],
        {
            sales.ReturnRecorded: when_return_recorded,
            inventory.ReservationRequested: when_reservation_requested,
            inventory.ReservationReleaseRequested: when_release_requested,
            inventory.ReservationExtensionRequested: when_extension_requested,
        },
    )

    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        """Runs of consecutive sales are applied together (one read and one write of each kind for
        the whole run); anything else, one event at a time, in order."""
        run: list[selling.SaleToApply] = []
        for delivery in deliveries:
            if isinstance(delivery.event, sales.SaleRecorded):
                command = to.sale_command(delivery.event)
                run.append(
                    selling.SaleToApply(
                        command, delivery.envelope.correlation_id, str(delivery.event_id), delivery.headers
                    )
                )
                continue
            await _apply_sales(run, tx)
            run = []
            await one_at_a_time.apply([delivery], tx)
        await _apply_sales(run, tx)

    async def _apply_sales(run: list[selling.SaleToApply], tx: Tx) -> None:
        if run:
            await selling.apply_sales(run, unit_of_work(tx))

    async def when_shop_registered(event: store.ShopRegistered, _: EnvelopeHeader, tx: Tx) -> None:
        await locations_and_skus.register_location(to.location_command(event), unit_of_work(tx))

    async def when_stock_counted(event: store.StockCounted, _: EnvelopeHeader, tx: Tx) -> None:
        await counts.count_stock(to.count_command(event), unit_of_work(tx))

    async def when_shipment_dispatched(event: store.ShipmentDispatched, _: EnvelopeHeader, tx: Tx) -> None:
        await collection.dispatch_shipment(to.dispatch_command(event), unit_of_work(tx))

    async def when_shipment_received(event: store.ShipmentReceived, _: EnvelopeHeader, tx: Tx) -> None:
        await collection.receive_shipment(to.shipment_receipt_command(event), unit_of_work(tx))

    async def when_trade_in_unit_ready(event: trade_in.TradeInUnitReady, _: EnvelopeHeader, tx: Tx) -> None:
        command = to.trade_in_unit_command(event)
        await trade_in_units.receive_from_trade_in(command, unit_of_work(tx), centre_id=trade_in_centre)

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
        # Only the refurbished unit concerns inventory; the trade-in's other events are skipped.
        Subscription.per_event(
            "inventory-trade-ins", [trade_in.TRADE_INS], {trade_in.TradeInUnitReady: when_trade_in_unit_ready}
        ),
        Subscription.per_event(
            "inventory-catalog",
            [catalog.SKUS],
            {catalog.SkuListed: when_sku_listed, catalog.SkuDiscontinued: when_sku_discontinued},
        ),
    ]
