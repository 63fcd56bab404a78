"""CRM's unit of work: its repositories on one transaction, and the domain events its handlers
record, published through the outbox on commit (translated in `adapters/translators.py`).

CRM is mostly a read model with a few decisions (merges, consent changes, erasure, segments,
shops): it has no aggregates, so its handlers record their decisions on the unit of work itself.
`adapters/postgres_unit_of_work.py` keeps the state in PostgreSQL, `tests/fakes.py` in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crm.domain.events import DomainEvent
from crm.service_layer.ports import (
    ConsentLog,
    CustomerRecords,
    ErasureLedger,
    IdentityGraph,
    MergeAudit,
    SegmentCandidates,
    SegmentEntries,
    Shops,
)
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import UnitOfWork


@dataclass
class Decisions:
    """What CRM's handlers decided in one transaction, recorded as an aggregate records its events."""

    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)


class CrmUnitOfWork(UnitOfWork[DomainEvent]):
    identity: IdentityGraph
    merges: MergeAudit
    erasure: ErasureLedger
    consents: ConsentLog
    customers: CustomerRecords
    segment_candidates: SegmentCandidates
    segment_entries: SegmentEntries
    shops: Shops
    _decisions: Decisions | None = None

    def record(self, *events: DomainEvent) -> None:
        """Record what a handler decided: published on commit, forgotten if the work is rolled back."""
        if not events:
            return  # the projection's batches rarely merge anyone: nothing to track then
        if self._decisions is None:
            self._decisions = Decisions()
        if self._decisions not in self.seen:
            self.track(self._decisions)
        for event in events:
            self._decisions.recorder.record(event)
