"""CRM's unit of work: its repositories on one transaction, and the domain events its handlers
record, published through the outbox on commit (translated in `adapters/translators.py`).

CRM is mostly a read model with a few decisions (merges, consent changes, erasure, segments,
shops): it has no aggregates, so its handlers record their decisions on the unit of work itself
(`uow.record(...)`).
`adapters/postgres_unit_of_work.py` keeps the state in PostgreSQL, `tests/fakes.py` in memory.
"""

from __future__ import annotations

from crm.domain.events import DomainEvent
from crm.service_layer.ports import (
    AccessLog,
    ConsentLog,
    CustomerRecords,
    ErasureLedger,
    IdentityGraph,
    MergeAudit,
    SegmentCandidates,
    SegmentEntries,
    Shops,
)
from reloop_shared.unit_of_work import UnitOfWork


class CrmUnitOfWork(UnitOfWork[DomainEvent]):
    identity: IdentityGraph
    merges: MergeAudit
    erasure: ErasureLedger
    consents: ConsentLog
    customers: CustomerRecords
    segment_candidates: SegmentCandidates
    segment_entries: SegmentEntries
    shops: Shops
    access_log: AccessLog
