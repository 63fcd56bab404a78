"""Inventory's unit of work: its repositories on one transaction. On commit it saves the aggregates
that changed, and the availability of every SKU the transaction touched is published beside the
domain events, in the same transaction.

Two implementations share this: PostgreSQL (adapters/postgres_unit_of_work.py) and the in-memory
twin (tests/fakes.py); handlers are typed against this class only.
"""

from __future__ import annotations

from datetime import datetime

from inventory.domain import events
from inventory.domain.availability import availability_changed, touched
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit
from inventory.service_layer import ports
from reloop_shared.outbox.cause import Cause
from reloop_shared.unit_of_work import Recorded, UnitOfWork


class InventoryUnitOfWork(UnitOfWork[events.DomainEvent]):
    locations: ports.Locations
    skus: ports.Skus
    units: ports.Units
    stock: ports.Stock
    reservations: ports.Reservations
    ledger: ports.SalesLedger
    sales: ports.SaleContexts
    holds: ports.HoldContexts
    transfers: ports.Transfers
    counts: ports.StockCounts
    availability: ports.Availability
    collected: ports.CollectedDevices

    def discard_changes(self) -> None:
        super().discard_changes()
        # The repositories hold the discarded in-memory states: forget them too.
        self.units.forget()
        self.stock.forget()
        self.reservations.forget()

    async def commit(self) -> None:
        # What an aggregate recorded is what changed: persist exactly those (in bulk), then publish.
        changed = [aggregate for aggregate in self.seen if aggregate.recorder.events]
        units = [a for a in changed if isinstance(a, Unit)]
        if units:
            await self.units.save(units)
        stock = [a for a in changed if isinstance(a, AccessoryStock)]
        if stock:
            await self.stock.save(stock)
        for aggregate in changed:
            if isinstance(aggregate, Reservation):
                await self.reservations.save(aggregate)
        await super().commit()

    async def on_commit(self, recorded: list[Recorded[events.DomainEvent]]) -> None:
        """Add the availability of every SKU the transaction touched, once, as of the last event
        that touched it and attributed to that event's cause."""
        last: dict[str, tuple[datetime, Cause]] = {}
        for item in recorded:
            change = touched(item.event)
            if change is not None:
                last[change[0]] = (change[1], item.cause)
        if not last:
            return
        kinds = await self.skus.kinds(last)
        counts = await self.availability.for_skus(kinds)
        for sku in sorted(kinds):
            at, cause = last[sku]
            recorded.append(Recorded(availability_changed(sku, kinds[sku], counts[sku], at), cause))
