"""CRM's unit of work on PostgreSQL: the SQL repositories on one transaction, and the outbox
(muted in a replay, which applies history with the live handlers)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from crm.adapters.access_log_repository import AccessLogRepository
from crm.adapters.consent_repository import ConsentRepository
from crm.adapters.erasure_repository import ErasureRepository
from crm.adapters.identity_repository import IdentityRepository
from crm.adapters.merge_repository import MergeRepository
from crm.adapters.projection_repository import ProjectionRepository
from crm.adapters.queries import ProfileQueries, SegmentQueries
from crm.adapters.segment_entry_repository import SegmentEntryRepository
from crm.adapters.shop_repository import ShopRepository
from crm.domain.events import DomainEvent
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import EnvelopeHeader, Event
from reloop_shared.db.types import Connection
from reloop_shared.outbox.cause import Cause
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork


class PostgresCrmUnitOfWork(PostgresUnitOfWork[DomainEvent], CrmUnitOfWork):
    projection: ProjectionRepository
    """The projection's set-based writes: PostgreSQL only (see read_model/projection.py)."""

    def bind(self, conn: Connection) -> None:
        self.identity = IdentityRepository(conn)
        self.merges = MergeRepository(conn)
        self.erasure = ErasureRepository(conn)
        self.consents = ConsentRepository(conn)
        self.customers = ProfileQueries(conn)
        self.segment_candidates = SegmentQueries(conn)
        self.segment_entries = SegmentEntryRepository(conn)
        self.shops = ShopRepository(conn)
        self.projection = ProjectionRepository(conn)
        self.access_log = AccessLogRepository(conn)


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
