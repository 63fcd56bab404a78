"""Repair's unit of work on PostgreSQL: the workshop's and the subscriptions' SQL repositories, the
catalog's resale prices and the local billing ledger on its transaction."""

from __future__ import annotations

from reloop_shared.db.types import Connection
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork
from repair.adapters.billing_ledger import PostgresBillingLedger
from repair.adapters.parts_repository import PostgresPartsRepository
from repair.adapters.renewal_schedule import PostgresRenewalSchedule
from repair.adapters.resale_price_repository import PostgresResalePrices
from repair.adapters.sold_devices_repository import PostgresSoldDevices
from repair.adapters.subscription_repository import PostgresSubscriptionRepository
from repair.adapters.ticket_repository import PostgresTicketRepository
from repair.domain.events import DomainEvent
from repair.service_layer.unit_of_work import RepairUnitOfWork


class PostgresRepairUnitOfWork(PostgresUnitOfWork[DomainEvent], RepairUnitOfWork):
    def bind(self, conn: Connection) -> None:
        self.tickets = PostgresTicketRepository(conn, self.seen)
        self.parts = PostgresPartsRepository(conn, self.seen)
        self.sold_devices = PostgresSoldDevices(conn)
        self.resale_prices = PostgresResalePrices(conn)
        self.subscriptions = PostgresSubscriptionRepository(conn)
        self.billing = PostgresBillingLedger(conn)
        self.renewals = PostgresRenewalSchedule(conn)
