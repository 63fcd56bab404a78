"""Inventory's unit of work on PostgreSQL: the SQL repositories on the transaction's connection."""

from __future__ import annotations

from inventory.adapters.hold_contexts import HoldContextLoader
from inventory.adapters.postgres.availability import AvailabilityQuery
from inventory.adapters.postgres.ledger import SalesLedgerRepository
from inventory.adapters.postgres.locations import LocationRepository, SkuRepository
from inventory.adapters.postgres.reservations import ReservationRepository
from inventory.adapters.postgres.stock import StockRepository
from inventory.adapters.postgres.transfers import CollectedDeviceRepository, CountRepository, TransferRepository
from inventory.adapters.postgres.units import UnitRepository
from inventory.adapters.sale_contexts import SaleContextLoader
from inventory.domain.events import DomainEvent
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.db.types import Connection
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork


class PostgresInventoryUnitOfWork(PostgresUnitOfWork[DomainEvent], InventoryUnitOfWork):
    def bind(self, conn: Connection) -> None:
        locations = self.locations = LocationRepository(conn)
        skus = self.skus = SkuRepository(conn)
        units = self.units = UnitRepository(conn, self.seen)
        stock = self.stock = StockRepository(conn, self.seen)
        reservations = self.reservations = ReservationRepository(conn, self.seen)
        ledger = self.ledger = SalesLedgerRepository(conn)
        self.sales = SaleContextLoader(locations, skus, units, stock, reservations, ledger)
        self.holds = HoldContextLoader(locations, skus, units, stock, reservations)
        self.transfers = TransferRepository(conn)
        self.counts = CountRepository(conn)
        self.availability = AvailabilityQuery(conn)
        self.collected = CollectedDeviceRepository(conn)
