"""Inventory's unit of work: repositories on one transaction; on commit, the availability of every
SKU the transaction touched is published beside the domain events, in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inventory.adapters.repository import (
    AvailabilityQuery,
    CountRepository,
    LocationRepository,
    ReservationRepository,
    SalesLedger,
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
from reloop_shared.unit_of_work import PostgresUnitOfWork


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

    def rollback_changes(self) -> None:
        """Forget what aggregates did in memory: nothing of it is persisted or published."""
        for aggregate in self.seen:
            aggregate.recorder.events.clear()
        self.seen.clear()

    async def commit(self) -> None:
        # What an aggregate recorded is what changed: persist exactly those, then publish.
        for aggregate in self.seen:
            if not aggregate.recorder.events:
                continue
            if isinstance(aggregate, Unit):
                await self.units.save(aggregate)
            elif isinstance(aggregate, AccessoryStock):
                await self.stock.save(aggregate)
            elif isinstance(aggregate, Reservation):
                await self.reservations.save(aggregate)
        await super().commit()

    async def on_commit(self, domain_events: list[Any]) -> None:
        touched = sorted(
            {e.sku for e in domain_events if isinstance(e, events.UnitStatusChanged | events.AccessoryStockChanged)}
        )
        now = datetime.now(UTC)
        for sku in touched:
            info = await self.skus.get(sku)
            if info is None:
                continue
            counts = await self.availability.for_sku(sku, info.kind)
            self.publish(
                AvailabilityChanged(
                    sku=sku,
                    kind=info.kind,
                    total_available=sum(c.available for c in counts),
                    by_location=[
                        LocationAvailability(
                            location_id=c.location_id,
                            location_kind=c.location_kind,
                            market=c.market,
                            available=c.available,
                        )
                        for c in counts
                    ],
                    as_of=now,
                )
            )
