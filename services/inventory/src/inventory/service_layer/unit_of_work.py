"""Inventory's unit of work: repositories on one transaction; on commit, the availability of every
SKU the transaction touched is published beside the domain events, in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from inventory.adapters.repository import (
    AvailabilityQuery,
    CollectedDevices,
    CountRepository,
    LocationRepository,
    ReservationRepository,
    SalesLedger,
    SkuInfo,
    SkuRepository,
    StockRepository,
    TransferRepository,
    UnitRepository,
)
from inventory.domain import events
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit
from reloop_contracts.inventory import AvailabilityChanged, LocationAvailability
from reloop_shared.db.types import Connection
from reloop_shared.db.unit_of_work import PostgresUnitOfWork
from reloop_shared.outbox.cause import Cause
from reloop_shared.unit_of_work import Recorded


class InventoryUnitOfWork(PostgresUnitOfWork):
    locations: LocationRepository
    skus: SkuRepository
    units: UnitRepository
    stock: StockRepository
    reservations: ReservationRepository
    ledger: SalesLedger
    transfers: TransferRepository
    counts: CountRepository
    availability: AvailabilityQuery
    collected: CollectedDevices

    def bind(self, conn: Connection) -> None:
        self.locations = LocationRepository(conn)
        self.skus = SkuRepository(conn)
        self.units = UnitRepository(conn, self.seen)
        self.stock = StockRepository(conn, self.seen)
        self.reservations = ReservationRepository(conn, self.seen)
        self.ledger = SalesLedger(conn)
        self.transfers = TransferRepository(conn)
        self.counts = CountRepository(conn)
        self.availability = AvailabilityQuery(conn)
        self.collected = CollectedDevices(conn)

    def discard_changes(self) -> None:
        super().discard_changes()
        # The identity maps hold the discarded in-memory states: forget them too.
        self.units.loaded.clear()
        self.units.locked.clear()
        self.stock.loaded.clear()
        self.reservations.loaded.clear()
        self.reservations.locked.clear()

    async def commit(self) -> None:
        # What an aggregate recorded is what changed: persist exactly those (in bulk), then publish.
        changed = [aggregate for aggregate in self.seen if aggregate.recorder.events]
        units = {id(a): a for a in changed if isinstance(a, Unit)}
        if units:
            await self.units.save(list(units.values()))
        for aggregate in changed:
            if isinstance(aggregate, AccessoryStock):
                await self.stock.save(aggregate)
            elif isinstance(aggregate, Reservation):
                await self.reservations.save(aggregate)
        await super().commit()

    async def on_commit(self, recorded: list[Recorded]) -> None:
        """Publish the availability of every SKU the transaction touched, once, attributed to the
        last event that touched it."""
        last_cause: dict[str, Cause] = {}
        for item in recorded:
            if isinstance(item.event, events.UnitStatusChanged | events.AccessoryStockChanged):
                last_cause[item.event.sku] = item.cause
        if not last_cause:
            return
        kinds = {sku: info.kind for sku in last_cause if (info := await self._kind(sku)) is not None}
        counts = await self.availability.for_skus(kinds)
        now = datetime.now(UTC)
        for sku in sorted(kinds):
            self.publish(
                AvailabilityChanged(
                    sku=sku,
                    kind=kinds[sku],
                    total_available=sum(c.available for c in counts[sku]),
                    by_location=[
                        LocationAvailability(
                            location_id=c.location_id,
                            location_kind=c.location_kind,
                            market=c.market,
                            available=c.available,
                        )
                        for c in counts[sku]
                    ],
                    as_of=now,
                ),
                cause=last_cause[sku],
            )

    async def _kind(self, sku: str) -> SkuInfo | None:
        return self.skus.known.get(sku) or await self.skus.get(sku)
