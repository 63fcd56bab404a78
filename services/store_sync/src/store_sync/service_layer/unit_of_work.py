"""Store-sync's unit of work: its repositories on one transaction, events through the outbox.

Handlers are written against this class; `adapters/postgres_unit_of_work.py` binds it to
PostgreSQL and the tests' twin (`tests/fakes.py`) to memory.
"""

from __future__ import annotations

from reloop_shared.unit_of_work import UnitOfWork
from store_sync.domain.events import DomainEvent
from store_sync.service_layer.ports import (
    Credentials,
    Feed,
    Journal,
    Operators,
    PartnerMappings,
    PersonalRecords,
    Quarantine,
    Shipments,
    Shops,
    VoucherHolds,
)


class StoreSyncUnitOfWork(UnitOfWork[DomainEvent]):
    operators: Operators
    shops: Shops
    credentials: Credentials
    journal: Journal
    partner: PartnerMappings
    quarantine: Quarantine
    shipments: Shipments
    feed: Feed
    personal: PersonalRecords
    voucher_holds: VoucherHolds
