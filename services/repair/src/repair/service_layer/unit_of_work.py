"""The repair service's unit of work: the workshop's and the subscriptions' repositories and ports,
and the catalog's resale prices, on one transaction, their events through the outbox.

Handlers are typed against this class; `adapters.postgres_unit_of_work` binds it to PostgreSQL and
the tests' twin (`tests/fakes.py`) to memory.
"""

from __future__ import annotations

from reloop_shared.unit_of_work import UnitOfWork
from repair.domain.events import DomainEvent
from repair.service_layer.ports import PartsRepository, SoldDevices, TicketRepository
from repair.service_layer.resale_price_ports import ResalePrices
from repair.service_layer.subscription_ports import BillingLedger, RenewalSchedule, SubscriptionRepository


class RepairUnitOfWork(UnitOfWork[DomainEvent]):
    tickets: TicketRepository
    parts: PartsRepository
    sold_devices: SoldDevices
    resale_prices: ResalePrices
    subscriptions: SubscriptionRepository
    billing: BillingLedger
    renewals: RenewalSchedule
