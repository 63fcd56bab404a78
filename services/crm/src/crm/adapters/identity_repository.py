"""SQL of the identity graph: identifiers, profiles, links, merges and separations, in bulk."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from crm.adapters.packed_columns import columns_of, unnest
from crm.domain.identifiers import kind_of
from crm.domain.identity import Known, Resolution
from reloop_shared.db.types import Connection

IDENTITY_LOCK = 0x0C12_0001
"""Every change to identities holds this transaction lock: partitions resolve identities one after
another, so two batches never resolve the same person from stale reads."""

_KNOWN = """
SELECT i.identifier, i.profile_id, i.first_seen_at, i.constrained, p.founding, p.founded_at
FROM {names} AS q(n) JOIN identifiers i ON i.identifier = q.n JOIN profiles p USING (profile_id)
"""

_IDENTIFIERS = ("text", "text", "uuid", "timestamptz")

_COMPONENT = """
WITH RECURSIVE reach(identifier) AS (
    SELECT unnest($1::text[])
    UNION
    SELECT CASE WHEN l.a = r.identifier THEN l.b ELSE l.a END
    FROM reach r JOIN identity_links l ON l.a = r.identifier OR l.b = r.identifier
)
SELECT r.identifier, i.first_seen_at, i.profile_id
FROM reach r LEFT JOIN identifiers i USING (identifier)
"""


class IdentityRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def lock(self) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1)", IDENTITY_LOCK)

    async def known(self, identifiers: Sequence[str]) -> dict[str, Known]:
        if not identifiers:
            return {}
        names, args = unnest([identifiers], ["text"])
        rows = await self.conn.fetch(_KNOWN.format(names=names), *args)
        return {
            r["identifier"]: Known(
                r["profile_id"], r["first_seen_at"], r["founding"], r["founded_at"], r["constrained"]
            )
            for r in rows
        }

    async def identifiers_of(self, profile_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        rows = await self.conn.fetch(
            "SELECT profile_id, identifier FROM identifiers WHERE profile_id = ANY($1::uuid[]) ORDER BY identifier",
            list(profile_ids),
        )
        found: dict[uuid.UUID, list[str]] = defaultdict(list)
        for row in rows:
            found[row["profile_id"]].append(row["identifier"])
        return found

    async def apply(self, resolution: Resolution) -> None:
        """Write a resolution: a few set-based statements whatever the batch size."""
        conn = self.conn
        if resolution.rekeys:
            source, args = unnest(columns_of(resolution.rekeys), ["uuid", "uuid"])
            await conn.execute(
                f"UPDATE identifiers i SET profile_id = m.new FROM {source} AS m(old, new) WHERE i.profile_id = m.old",
                *args,
            )
            await conn.execute("DELETE FROM profiles WHERE profile_id = ANY($1::uuid[])", resolution.retired)
        if resolution.profiles:
            await self.save_profiles(resolution.profiles)
        if resolution.new_identifiers:
            names, pids, seen = columns_of(resolution.new_identifiers)
            source, args = unnest([names, [kind_of(n) for n in names], pids, seen], _IDENTIFIERS)
            await conn.execute(
                f"INSERT INTO identifiers (identifier, kind, profile_id, first_seen_at) SELECT * FROM {source}", *args
            )
        if resolution.seen_earlier:
            source, args = unnest(columns_of(resolution.seen_earlier), ["text", "timestamptz"])
            await conn.execute(
                f"UPDATE identifiers i SET first_seen_at = u.at FROM {source} AS u(n, at) WHERE i.identifier = u.n",
                *args,
            )
        await self.add_links(resolution.links)

    async def save_profiles(self, profiles: Sequence[tuple[uuid.UUID, str, datetime | None]]) -> None:
        source, args = unnest(columns_of(profiles), ["uuid", "text", "timestamptz"])
        await self.conn.execute(
            f"INSERT INTO profiles (profile_id, founding, founded_at) SELECT * FROM {source}"
            " ON CONFLICT (profile_id) DO UPDATE SET founding = excluded.founding, founded_at = excluded.founded_at",
            *args,
        )

    async def add_links(self, links: Mapping[tuple[str, str], str]) -> None:
        if not links:
            return
        pairs = list(links.items())
        source, args = unnest(
            [[a for (a, _), _ in pairs], [b for (_, b), _ in pairs], [kind for _, kind in pairs]], ["text"] * 3
        )
        await self.conn.execute(
            f"INSERT INTO identity_links (a, b, kind) SELECT * FROM {source} ON CONFLICT (a, b) DO NOTHING", *args
        )

    async def ensure(self, first_seen: Mapping[str, datetime | None], *, constrained: bool = False) -> None:
        """Identifiers the careful path or an operator names: added when missing (each on a profile
        of its own until resolved), first-seen times kept at their earliest."""
        if not first_seen:
            return
        names = list(first_seen)
        await self.conn.execute(
            """
            INSERT INTO identifiers (identifier, kind, profile_id, first_seen_at, constrained)
            SELECT n, k, gen_random_uuid(), s, $4 FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(n, k, s)
            ON CONFLICT (identifier) DO UPDATE SET
                first_seen_at = LEAST(identifiers.first_seen_at, excluded.first_seen_at),
                constrained = identifiers.constrained OR excluded.constrained
            """,
            names,
            [kind_of(n) for n in names],
            [first_seen[n] for n in names],
            constrained,
        )

    async def component(self, seeds: Sequence[str]) -> tuple[dict[str, datetime | None], dict[str, uuid.UUID]]:
        """Everything linked to the seeds, ignoring separations: the careful path re-splits it."""
        rows = await self.conn.fetch(_COMPONENT, list(seeds))
        first_seen = {r["identifier"]: r["first_seen_at"] for r in rows}
        profiles = {r["identifier"]: r["profile_id"] for r in rows if r["profile_id"] is not None}
        return first_seen, profiles

    async def links_among(self, identifiers: Sequence[str]) -> list[tuple[str, str]]:
        rows = await self.conn.fetch(
            "SELECT a, b FROM identity_links WHERE a = ANY($1::text[]) AND b = ANY($1::text[])", list(identifiers)
        )
        return [(r["a"], r["b"]) for r in rows]

    async def separations_touching(self, identifiers: Sequence[str]) -> list[tuple[frozenset[str], frozenset[str]]]:
        rows = await self.conn.fetch(
            "SELECT side_a, side_b FROM separations WHERE side_a && $1::text[] OR side_b && $1::text[]",
            list(identifiers),
        )
        return [(frozenset(r["side_a"]), frozenset(r["side_b"])) for r in rows]

    async def reassign(self, assignment: Mapping[str, uuid.UUID], retired: Iterable[uuid.UUID]) -> None:
        names = list(assignment)
        await self.conn.execute(
            "UPDATE identifiers i SET profile_id = u.p FROM unnest($1::text[], $2::uuid[]) AS u(n, p)"
            " WHERE i.identifier = u.n",
            names,
            [assignment[n] for n in names],
        )
        await self.conn.execute("DELETE FROM profiles WHERE profile_id = ANY($1::uuid[])", list(retired))

    async def add_separation(
        self, unmerge_id: str, merge_id: str, a: list[str], b: list[str], by: str, reason: str, at: datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO separations (unmerge_id, merge_id, side_a, side_b, unmerged_by, reason, unmerged_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            unmerge_id,
            merge_id,
            a,
            b,
            by,
            reason,
            at,
        )

    async def founding_of(self, profile_id: uuid.UUID) -> tuple[datetime | None, str] | None:
        row = await self.conn.fetchrow("SELECT founding, founded_at FROM profiles WHERE profile_id = $1", profile_id)
        return (row["founded_at"], row["founding"]) if row is not None else None

    async def profile_of(self, identifier: str) -> uuid.UUID | None:
        found: uuid.UUID | None = await self.conn.fetchval(
            "SELECT profile_id FROM identifiers WHERE identifier = $1", identifier
        )
        return found
