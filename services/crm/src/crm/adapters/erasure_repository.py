"""SQL of erasure: forgetting a person everywhere in CRM, tombstones, requests and confirmations."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from crm.domain.erasure import ErasureStatus
from reloop_shared.db.types import Connection
from reloop_shared.outbox.forgetting import forget_published

FORGETTING_LOCK = 0x0C12_0002
"""Held exclusively while an erasure forgets a person, and shared by every batch writing what
events tell about people: an erasure waits for the batches in flight and they wait for it, so a
batch never writes about someone erased meanwhile, while batches still run side by side."""


class ErasureRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def hold_off_erasures(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock_shared($1)", FORGETTING_LOCK)

    async def exclude_everyone(self) -> None:
        """The forgetting lock alone (a batch holding it shared waits for the others to finish)."""
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", FORGETTING_LOCK)

    async def any_erased(self) -> bool:
        return bool(await self.conn.fetchval("SELECT EXISTS (SELECT 1 FROM erased_identifiers)"))

    async def erased(self, hashes: Iterable[str]) -> set[str]:
        wanted = list(set(hashes))
        if not wanted:
            return set()
        rows = await self.conn.fetch("SELECT hash FROM erased_identifiers WHERE hash = ANY($1::text[])", wanted)
        return {r["hash"] for r in rows}

    async def tombstone(self, hashes: Iterable[str], request_id: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO erased_identifiers (hash, request_id, erased_at) SELECT h, $2, $3 FROM unnest($1::text[]) h"
            " ON CONFLICT DO NOTHING",
            sorted(set(hashes)),
            request_id,
            at,
        )

    async def person(self, identifiers: Sequence[str]) -> tuple[list[str], list[uuid.UUID]]:
        """Every identifier of the profiles holding any of `identifiers`, and those profiles."""
        rows = await self.conn.fetch(
            "SELECT identifier, profile_id FROM identifiers WHERE profile_id IN"
            " (SELECT profile_id FROM identifiers WHERE identifier = ANY($1::text[]))",
            list(identifiers),
        )
        return sorted({r["identifier"] for r in rows} | set(identifiers)), sorted({r["profile_id"] for r in rows})

    async def former_profiles(self, profile_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """The ids the person's profiles had before merges (their audit rows name them)."""
        known = set(profile_ids)
        while True:
            rows = await self.conn.fetch(
                "SELECT profile_id, merged_profile_id FROM merges"
                " WHERE profile_id = ANY($1::uuid[]) OR merged_profile_id = ANY($1::uuid[])",
                list(known),
            )
            more = {r["profile_id"] for r in rows} | {r["merged_profile_id"] for r in rows}
            if more <= known:
                return known
            known |= more

    async def purchases_of(self, identifiers: Sequence[str]) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT sale_id FROM timeline WHERE kind = 'purchase' AND anchor = ANY($1::text[])", list(identifiers)
        )
        return [r["sale_id"] for r in rows]

    async def threads_of(self, identifiers: Sequence[str]) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT DISTINCT thread FROM timeline WHERE anchor = ANY($1::text[]) AND thread IS NOT NULL",
            list(identifiers),
        )
        return sorted(r["thread"] for r in rows)

    async def forget(
        self, identifiers: Sequence[str], profile_ids: Iterable[uuid.UUID], sale_ids: Sequence[str], request_id: str
    ) -> int:
        """Delete every row about the person; the analytics keep their sales, without a catchment."""
        ids, pids, sales = list(identifiers), list(profile_ids), list(sale_ids)
        subjects = [i.split(":", 1)[1] for i in ids if i.startswith("subject:")]
        statements = [
            # A trade-in's or voucher's later steps name no one: they go with the entry that did.
            (
                "DELETE FROM timeline WHERE thread IN"
                " (SELECT thread FROM timeline WHERE anchor = ANY($1::text[]) AND thread IS NOT NULL)",
                ids,
            ),
            ("DELETE FROM timeline WHERE anchor = ANY($1::text[])", ids),
            ("DELETE FROM timeline WHERE sale_id = ANY($1::text[])", sales),
            ("UPDATE sale_facts SET catchment = NULL WHERE sale_id = ANY($1::text[]) AND catchment IS NOT NULL", sales),
            ("DELETE FROM consents WHERE identifier = ANY($1::text[])", ids),
            ("DELETE FROM contacts WHERE subject_id = ANY($1::text[])", subjects),
            ("DELETE FROM identity_links WHERE a = ANY($1::text[]) OR b = ANY($1::text[])", ids),
            ("DELETE FROM separations WHERE side_a && $1::text[] OR side_b && $1::text[]", ids),
            ("DELETE FROM merges WHERE profile_id = ANY($1::uuid[]) OR merged_profile_id = ANY($1::uuid[])", pids),
            ("DELETE FROM segment_entries WHERE profile_id = ANY($1::uuid[])", pids),
            ("DELETE FROM identifiers WHERE identifier = ANY($1::text[])", ids),
            ("DELETE FROM profiles WHERE profile_id = ANY($1::uuid[])", pids),
            # The request names the person's account and subject ids; being read, it was sent.
            ("DELETE FROM outbox WHERE message_key = $1 AND event_type = 'ErasureRequested'", request_id),
        ]
        erased = 0
        for sql, values in statements:
            status = await self.conn.execute(sql, values)
            erased += int(status.rsplit(" ", 1)[-1])
        # CRM's own events about the person, already published.
        return erased + await forget_published(self.conn, [str(p) for p in pids])

    async def record_request(
        self, request_id: str, holders: Sequence[str], requested_at: datetime, requested_by: str | None = None
    ) -> None:
        await self.conn.execute(
            "INSERT INTO erasure_requests (request_id, holders, requested_at, requested_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            request_id,
            list(holders),
            requested_at,
            requested_by,
        )

    async def confirm(self, request_id: str, service: str, records: int, detail: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO erasure_confirmations (request_id, service, records_erased, detail, completed_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            request_id,
            service,
            records,
            detail,
            at,
        )

    async def status(self, request_id: str) -> ErasureStatus | None:
        request = await self.conn.fetchrow(
            "SELECT holders, requested_at, requested_by FROM erasure_requests WHERE request_id = $1", request_id
        )
        rows = await self.conn.fetch(
            "SELECT service, records_erased, detail, completed_at FROM erasure_confirmations WHERE request_id = $1",
            request_id,
        )
        if request is None and not rows:
            return None
        return ErasureStatus(
            request_id,
            list(request["holders"]) if request is not None else [],
            request["requested_at"] if request is not None else None,
            {r["service"]: (r["records_erased"], r["detail"], r["completed_at"]) for r in rows},
            request["requested_by"] if request is not None else None,
        )
