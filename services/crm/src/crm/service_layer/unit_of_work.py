"""CRM's unit of work: its repositories on one transaction, and the outbox for what CRM publishes.

CRM has no aggregates recording domain events: it is a read model with a few decisions (merges,
consent changes, erasure, segments), which publish their contract events directly (`publish`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crm.adapters.erasure_repository import ErasureRepository
from crm.adapters.identity_repository import IdentityRepository
from crm.adapters.merge_repository import MergeRepository
from crm.adapters.projection_repository import ProjectionRepository
from crm.adapters.reference_repository import ReferenceRepository
from reloop_contracts import EnvelopeHeader, Event
from reloop_shared.db.types import Connection
from reloop_shared.db.unit_of_work import PostgresUnitOfWork
from reloop_shared.outbox.cause import Cause
from reloop_shared.outbox.writer import OutboxWriter


def no_domain_events(_: Any) -> Sequence[Event]:
    return ()


class DiscardingOutbox(OutboxWriter):
    """A replay applies history with the live handlers but must not publish it a second time."""

    async def add_all(
        self,
        conn: Connection,
        events: Sequence[Event],
        *,
        occurred_at: datetime | None = None,
        event_id: Any = None,
        causes: Sequence[Cause] | None = None,
    ) -> list[EnvelopeHeader]:
        return []


class CrmUnitOfWork(PostgresUnitOfWork):
    identity: IdentityRepository
    projection: ProjectionRepository
    erasure: ErasureRepository
    merges: MergeRepository
    reference: ReferenceRepository

    def bind(self, conn: Connection) -> None:
        self.identity = IdentityRepository(conn)
        self.projection = ProjectionRepository(conn)
        self.erasure = ErasureRepository(conn)
        self.merges = MergeRepository(conn)
        self.reference = ReferenceRepository(conn)
