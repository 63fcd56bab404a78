"""SQL of a consent changed through CRM (the projection writes the captures events carry in bulk)."""

from __future__ import annotations

from crm.adapters.projection_repository import rows_statement
from crm.domain.consent_and_ownership import StoredConsent
from reloop_shared.db.types import Connection


class ConsentRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, consent: StoredConsent) -> None:
        c = consent
        row = (
            c.record_key,
            c.identifier,
            c.captured_at,
            c.captured_by,
            c.data_owner,
            c.source,
            c.transactional,
            c.marketing,
            c.partner_sharing,
        )
        rows = rows_statement((), [row], (), (), ())
        assert rows is not None
        await self.conn.execute(rows.sql, *rows.args)
