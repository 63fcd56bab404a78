"""Store-sync's unit of work on PostgreSQL: the SQL repositories on one connection."""

from __future__ import annotations

from reloop_shared.db.types import Connection
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork
from store_sync.adapters.credentials import CredentialRepository
from store_sync.adapters.feed import FeedProjection
from store_sync.adapters.journal import JournalRepository
from store_sync.adapters.partner_data import PartnerData
from store_sync.adapters.personal_data import PersonalRecordsRepository
from store_sync.adapters.quarantine import QuarantineRepository
from store_sync.adapters.registry import OperatorRepository, ShopRepository
from store_sync.adapters.shipments import ShipmentRepository
from store_sync.adapters.voucher_holds import VoucherHoldRepository
from store_sync.domain.events import DomainEvent
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


class PostgresStoreSyncUnitOfWork(PostgresUnitOfWork[DomainEvent], StoreSyncUnitOfWork):
    def bind(self, conn: Connection) -> None:
        self.operators = OperatorRepository(conn)
        self.shops = ShopRepository(conn, self.seen)
        self.credentials = CredentialRepository(conn)
        self.journal = JournalRepository(conn)
        self.partner = PartnerData(conn)
        self.quarantine = QuarantineRepository(conn)
        self.shipments = ShipmentRepository(conn, self.seen)
        self.feed = FeedProjection(conn)
        self.personal = PersonalRecordsRepository(conn)
        self.voucher_holds = VoucherHoldRepository(conn, self.seen)
