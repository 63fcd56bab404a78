"""CRM's in-memory twin: its tables as dicts, repositories over them with the SQL ones' answers, a
key vault, and the unit of work on a `MemoryStore` (a plain module: import what you use).

The bulk projection (`service_layer/projection.py`) has no twin: its set-based SQL is the thing
its connected tests prove. Tests arrange what the projection would have written straight into the
tables (`CrmTables`), then run the handlers that decide. `http_edge` serves CRM's routes and
their guards on the twin; the read side behind them (the 360 view, the reports) has no twin either.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI

from crm.adapters.lookup_limits import MovingWindowLookups
from crm.adapters.readers import REGISTRY_FOR_CRM
from crm.adapters.translators import to_contract
from crm.domain.audit import AccessRecord
from crm.domain.consent_and_ownership import ConsentRecord, Contact, StoredConsent
from crm.domain.erasure import ErasureStatus
from crm.domain.events import DomainEvent
from crm.domain.identifiers import kind_of
from crm.domain.identity import Known, Resolution
from crm.domain.merges import MergeRecord, Separation
from crm.domain.observations import Observation, Sealed
from crm.domain.segments import add_months
from crm.domain.shops import ShopOnRecord
from crm.entrypoints.consumers import subscription
from crm.entrypoints.http import routers
from crm.entrypoints.http.edge import Edge
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.common import SealedPersonalData
from reloop_contracts.privacy import ErasureRequested
from reloop_localstack.testing import session_verifier
from reloop_shared.clock import Clock
from reloop_shared.db.types import Pool
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter


class UniqueViolation(Exception):
    """A second row with a key the table holds already, refused as PostgreSQL refuses it."""


@dataclass
class IdentifierRow:
    profile_id: uuid.UUID
    first_seen_at: datetime | None
    constrained: bool = False


@dataclass
class ProfileRow:
    founding: str
    founded_at: datetime | None


@dataclass(frozen=True)
class SeparationRow:
    merge_id: str
    side_a: list[str]
    side_b: list[str]
    unmerged_by: str
    reason: str
    unmerged_at: datetime


@dataclass(frozen=True)
class TimelineRow:
    kind: str
    occurred_at: datetime
    anchor: str | None
    sale_id: str | None
    channel: str | None = None
    location_id: str | None = None
    market: str | None = None
    detail: str = "{}"
    thread: str | None = None


@dataclass(frozen=True)
class ShopRow:
    kind: str
    market: str
    catchment_prefixes: list[str]
    opened_on: date
    declared_at: datetime
    source: str


@dataclass(frozen=True)
class SegmentEntryRow:
    segment: str
    occasion: str
    profile_id: uuid.UUID
    entered_at: datetime


@dataclass
class CrmTables:
    identifiers: dict[str, IdentifierRow] = field(default_factory=dict)
    profiles: dict[uuid.UUID, ProfileRow] = field(default_factory=dict)
    identity_links: dict[tuple[str, str], str] = field(default_factory=dict)
    separations: dict[str, SeparationRow] = field(default_factory=dict)
    merges: dict[str, MergeRecord] = field(default_factory=dict)
    consents: dict[str, StoredConsent] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    timeline: dict[str, TimelineRow] = field(default_factory=dict)
    sale_catchments: dict[str, str | None] = field(default_factory=dict)
    """`sale_facts`, as much of it as erasure touches: each sale's catchment."""
    shops: dict[str, ShopRow] = field(default_factory=dict)
    segment_entries: dict[str, SegmentEntryRow] = field(default_factory=dict)
    erasure_requests: dict[str, tuple[list[str], datetime]] = field(default_factory=dict)
    erasure_confirmations: dict[tuple[str, str], tuple[int, str, datetime]] = field(default_factory=dict)
    erased_identifiers: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    erasure_requesters: dict[str, str] = field(default_factory=dict)
    """`erasure_requests.requested_by`: who asked, when a customer asked for their own erasure."""
    personal_data_audit: list[AccessRecord] = field(default_factory=list)
    """Append-only, as the table's trigger keeps it: only `FakeAccessLog.append` touches it."""

    def profile_ids_of(self, identifiers: Iterable[str]) -> set[uuid.UUID]:
        return {row.profile_id for name, row in self.identifiers.items() if name in set(identifiers)}


class FakeIdentityGraph:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def lock(self) -> None:
        """Nothing to wait for: the twin's transactions run one at a time."""

    async def known(self, identifiers: Sequence[str]) -> dict[str, Known]:
        found = {}
        for name in identifiers:
            row = self.t.identifiers.get(name)
            if row is not None:
                profile = self.t.profiles[row.profile_id]
                found[name] = Known(
                    row.profile_id, row.first_seen_at, profile.founding, profile.founded_at, row.constrained
                )
        return found

    async def identifiers_of(self, profile_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
        wanted = set(profile_ids)
        found: dict[uuid.UUID, list[str]] = defaultdict(list)
        for name in sorted(self.t.identifiers):
            if (pid := self.t.identifiers[name].profile_id) in wanted:
                found[pid].append(name)
        return found

    async def apply(self, resolution: Resolution) -> None:
        rekeyed = dict(resolution.rekeys)
        for row in self.t.identifiers.values():
            row.profile_id = rekeyed.get(row.profile_id, row.profile_id)
        for retired in resolution.retired:
            self.t.profiles.pop(retired, None)
        await self.save_profiles(resolution.profiles)
        for name, pid, seen in resolution.new_identifiers:
            if name in self.t.identifiers:
                raise UniqueViolation(f"identifier {name}")
            self.t.identifiers[name] = IdentifierRow(pid, seen)
        for name, seen in resolution.seen_earlier:
            self.t.identifiers[name].first_seen_at = seen
        await self.add_links(resolution.links)

    async def save_profiles(self, profiles: Sequence[tuple[uuid.UUID, str, datetime | None]]) -> None:
        for pid, founding, at in profiles:
            self.t.profiles[pid] = ProfileRow(founding, at)

    async def add_links(self, links: Mapping[tuple[str, str], str]) -> None:
        for pair, kind in links.items():
            self.t.identity_links.setdefault(pair, kind)

    async def ensure(self, first_seen: Mapping[str, datetime | None], *, constrained: bool = False) -> None:
        for name, seen in first_seen.items():
            row = self.t.identifiers.get(name)
            if row is None:
                self.t.identifiers[name] = IdentifierRow(uuid.uuid4(), seen, constrained)
                continue
            # LEAST ignores NULLs, as PostgreSQL's does.
            known = [s for s in (row.first_seen_at, seen) if s is not None]
            row.first_seen_at = min(known) if known else None
            row.constrained = row.constrained or constrained

    async def component(self, seeds: Sequence[str]) -> tuple[dict[str, datetime | None], dict[str, uuid.UUID]]:
        reached, todo = set(seeds), deque(seeds)
        while todo:
            name = todo.popleft()
            for a, b in self.t.identity_links:
                other = b if a == name else a if b == name else None
                if other is not None and other not in reached:
                    reached.add(other)
                    todo.append(other)
        rows = {n: self.t.identifiers.get(n) for n in reached}
        first_seen = {n: row.first_seen_at if row else None for n, row in rows.items()}
        return first_seen, {n: row.profile_id for n, row in rows.items() if row is not None}

    async def links_among(self, identifiers: Sequence[str]) -> list[tuple[str, str]]:
        among = set(identifiers)
        return [(a, b) for a, b in self.t.identity_links if a in among and b in among]

    async def separations_touching(self, identifiers: Sequence[str]) -> list[Separation]:
        named = set(identifiers)
        return [
            (frozenset(s.side_a), frozenset(s.side_b))
            for s in self.t.separations.values()
            if named & set(s.side_a) or named & set(s.side_b)
        ]

    async def reassign(self, assignment: Mapping[str, uuid.UUID], retired: Iterable[uuid.UUID]) -> None:
        for name, pid in assignment.items():
            if name in self.t.identifiers:
                self.t.identifiers[name].profile_id = pid
        for pid in retired:
            self.t.profiles.pop(pid, None)

    async def add_separation(
        self, unmerge_id: str, merge_id: str, a: list[str], b: list[str], by: str, reason: str, at: datetime
    ) -> None:
        self.t.separations.setdefault(unmerge_id, SeparationRow(merge_id, list(a), list(b), by, reason, at))

    async def founding_of(self, profile_id: uuid.UUID) -> tuple[datetime | None, str] | None:
        row = self.t.profiles.get(profile_id)
        return (row.founded_at, row.founding) if row is not None else None

    async def profile_of(self, identifier: str) -> uuid.UUID | None:
        row = self.t.identifiers.get(identifier)
        return row.profile_id if row is not None else None


class FakeMergeAudit:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def record(self, merges: list[MergeRecord]) -> None:
        for merge in merges:
            self.t.merges.setdefault(merge.merge_id, merge)

    async def get(self, merge_id: str) -> MergeRecord | None:
        return self.t.merges.get(merge_id)

    async def mark_undone_earlier(self, merge_id: str) -> None:
        merge = self.t.merges.get(merge_id)
        for unmerge_id, s in self.t.separations.items():
            if merge is not None and merge.unmerge_id is None and s.merge_id == merge_id:
                await self.mark_unmerged(merge_id, unmerge_id, s.unmerged_by, s.unmerged_at, s.reason)

    async def mark_unmerged(self, merge_id: str, unmerge_id: str, by: str, at: datetime, reason: str) -> None:
        merge = self.t.merges.get(merge_id)
        if merge is not None and merge.unmerge_id is None:
            self.t.merges[merge_id] = replace(
                merge, unmerge_id=unmerge_id, unmerged_by=by, unmerged_at=at, unmerge_reason=reason
            )


class FakeErasureLedger:
    def __init__(self, tables: CrmTables, tx: MemoryTransaction[CrmTables]) -> None:
        self.t = tables
        self.tx = tx

    async def hold_off_erasures(self) -> None:
        """Nothing to wait for: the twin's transactions run one at a time."""

    async def exclude_everyone(self) -> None:
        """Nothing to wait for: the twin's transactions run one at a time."""

    async def any_erased(self) -> bool:
        return bool(self.t.erased_identifiers)

    async def erased(self, hashes: Iterable[str]) -> set[str]:
        return {h for h in hashes if h in self.t.erased_identifiers}

    async def tombstone(self, hashes: Iterable[str], request_id: str, at: datetime) -> None:
        for digest in hashes:
            self.t.erased_identifiers.setdefault(digest, (request_id, at))

    async def person(self, identifiers: Sequence[str]) -> tuple[list[str], list[uuid.UUID]]:
        profiles = self.t.profile_ids_of(identifiers)
        names = {n for n, row in self.t.identifiers.items() if row.profile_id in profiles}
        return sorted(names | set(identifiers)), sorted(profiles)

    async def former_profiles(self, profile_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        known = set(profile_ids)
        while True:
            touching = [m for m in self.t.merges.values() if {m.profile_id, m.merged_profile_id} & known]
            more = {m.profile_id for m in touching} | {m.merged_profile_id for m in touching}
            if more <= known:
                return known
            known |= more

    async def purchases_of(self, identifiers: Sequence[str]) -> list[str]:
        named = set(identifiers)
        return [r.sale_id for r in self.t.timeline.values() if r.kind == "purchase" and r.anchor in named and r.sale_id]

    async def threads_of(self, identifiers: Sequence[str]) -> list[str]:
        named = set(identifiers)
        return sorted({r.thread for r in self.t.timeline.values() if r.anchor in named and r.thread})

    async def forget(
        self, identifiers: Sequence[str], profile_ids: Iterable[uuid.UUID], sale_ids: Sequence[str], request_id: str
    ) -> int:
        t, ids, pids, sales = self.t, set(identifiers), set(profile_ids), set(sale_ids)
        subjects = {i.split(":", 1)[1] for i in ids if i.startswith("subject:")}
        threads = {r.thread for r in t.timeline.values() if r.anchor in ids and r.thread}
        erased = _drop(t.timeline, lambda r: r.thread in threads)
        erased += _drop(t.timeline, lambda r: r.anchor in ids)
        erased += _drop(t.timeline, lambda r: r.sale_id in sales)
        for sale_id in sales:
            if t.sale_catchments.get(sale_id) is not None:
                t.sale_catchments[sale_id] = None
                erased += 1
        erased += _drop(t.consents, lambda c: c.identifier in ids)
        erased += _drop(t.contacts, lambda c: c.subject_id in subjects)
        links = [pair for pair in t.identity_links if set(pair) & ids]
        for pair in links:
            del t.identity_links[pair]
        erased += len(links)
        erased += _drop(t.separations, lambda s: bool(ids & {*s.side_a, *s.side_b}))
        erased += _drop(t.merges, lambda m: bool(pids & {m.profile_id, m.merged_profile_id}))
        erased += _drop(t.segment_entries, lambda e: e.profile_id in pids)
        erased += sum(1 for n in ids if t.identifiers.pop(n, None) is not None)
        erased += sum(1 for p in pids if t.profiles.pop(p, None) is not None)
        # The request names the person's account and subject ids; being read, it was sent. Nothing
        # in the twin's outbox is ever published, so nothing else of it goes (forget_published).
        outbox = self.tx.store.state.outbox
        kept = [r for r in outbox if not (r.key == request_id and isinstance(r.event, ErasureRequested))]
        erased += len(outbox) - len(kept)
        outbox[:] = kept
        return erased

    async def record_request(
        self, request_id: str, holders: Sequence[str], requested_at: datetime, requested_by: str | None = None
    ) -> None:
        if request_id not in self.t.erasure_requests:
            self.t.erasure_requests[request_id] = (list(holders), requested_at)
            if requested_by is not None:
                self.t.erasure_requesters[request_id] = requested_by

    async def confirm(self, request_id: str, service: str, records: int, detail: str, at: datetime) -> None:
        self.t.erasure_confirmations.setdefault((request_id, service), (records, detail, at))

    async def status(self, request_id: str) -> ErasureStatus | None:
        request = self.t.erasure_requests.get(request_id)
        confirmed = {s: c for (r, s), c in self.t.erasure_confirmations.items() if r == request_id}
        if request is None and not confirmed:
            return None
        holders, at = request if request is not None else ([], None)
        return ErasureStatus(request_id, list(holders), at, confirmed, self.t.erasure_requesters.get(request_id))


def _drop(table: dict[Any, Any], doomed: Any) -> int:
    gone = [key for key, row in table.items() if doomed(row)]
    for key in gone:
        del table[key]
    return len(gone)


class FakeAccessLog:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def append(self, record: AccessRecord) -> None:
        if any(r.id == record.id for r in self.t.personal_data_audit):
            raise UniqueViolation(f"audit record {record.id}")
        self.t.personal_data_audit.append(record)

    async def newest(
        self,
        *,
        profile_id: uuid.UUID | None,
        actor: str | None,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[AccessRecord]:
        found = [
            r
            for r in self.t.personal_data_audit
            if (profile_id is None or r.profile_id == profile_id)
            and (actor is None or r.actor == actor)
            and (before is None or (r.at, str(r.id)) < (before[0], str(before[1])))
        ]
        # PostgreSQL orders uuids by their bytes, as their canonical text sorts.
        return sorted(found, key=lambda r: (r.at, str(r.id)), reverse=True)[:limit]


class FakeConsentLog:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def add(self, consent: StoredConsent) -> None:
        self.t.consents.setdefault(consent.record_key, consent)


class FakeCustomerRecords:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def consent_records(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ConsentRecord]]:
        found: dict[uuid.UUID, list[ConsentRecord]] = defaultdict(list)
        for c in self.t.consents.values():
            row = self.t.identifiers.get(c.identifier)
            if row is not None and row.profile_id in profile_ids:
                found[row.profile_id].append(
                    ConsentRecord(
                        c.record_key, c.captured_at, c.captured_by, c.transactional, c.marketing, c.partner_sharing
                    )
                )
        return found

    async def contacts(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Contact]]:
        found: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        latest_first = sorted(self.t.contacts.values(), key=lambda c: c.subject_id)
        latest_first.sort(key=lambda c: c.captured_at, reverse=True)
        for contact in latest_first:
            row = self.t.identifiers.get(f"subject:{contact.subject_id}")
            if row is not None and row.profile_id in profile_ids:
                found[row.profile_id].append(contact)
        return found


SHOP_CHANNELS = ("own_shop", "partner_shop")


class FakeSegmentCandidates:
    """The segment queries over the twin's timeline (see `adapters/queries.py` for the SQL)."""

    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    def _profile(self, anchor: str | None) -> uuid.UUID | None:
        row = self.t.identifiers.get(anchor or "")
        return row.profile_id if row is not None else None

    def _purchases(self) -> list[TimelineRow]:
        return [r for r in self.t.timeline.values() if r.kind == "purchase"]

    async def warranty_ending(self, now: datetime, months: int, notice: timedelta) -> list[dict[str, Any]]:
        returned = {
            (r.sale_id, line["line_id"])
            for r in self.t.timeline.values()
            if r.kind == "return"
            for line in json.loads(r.detail).get("lines", [])
        }
        found = []
        for sale in self._purchases():
            pid, ends = self._profile(sale.anchor), add_months(sale.occurred_at, months)
            if pid is None or not now < ends <= now + notice:
                continue
            for line in json.loads(sale.detail).get("lines", []):
                if line.get("kind") == "refurbished_device" and (sale.sale_id, line["line_id"]) not in returned:
                    found.append(
                        {
                            "profile_id": pid,
                            "sale_id": sale.sale_id,
                            "line_id": line["line_id"],
                            "sku": line.get("sku"),
                            "sold_at": sale.occurred_at,
                            "market": sale.market,
                            "location_id": sale.location_id,
                        }
                    )
        return found

    async def first_shop_purchase(self, now: datetime, lookback: timedelta) -> list[dict[str, Any]]:
        in_shops = [(s, self._profile(s.anchor)) for s in self._purchases() if s.channel in SHOP_CHANNELS]
        with_account = {row.profile_id for n, row in self.t.identifiers.items() if kind_of(n) == "account"}
        found = []
        for sale, pid in in_shops:
            if pid is None or pid in with_account or not now - lookback < sale.occurred_at <= now:
                continue
            first = (sale.occurred_at, sale.sale_id or "")
            if any(p == pid and (s.occurred_at, s.sale_id or "") < first for s, p in in_shops):
                continue
            found.append(
                {
                    "profile_id": pid,
                    "sale_id": sale.sale_id,
                    "occurred_at": sale.occurred_at,
                    "market": sale.market,
                    "location_id": sale.location_id,
                }
            )
        return found

    async def return_without_repurchase(
        self, now: datetime, window: timedelta, lookback: timedelta
    ) -> list[dict[str, Any]]:
        buyers = {s.sale_id: self._profile(s.anchor) for s in self._purchases()}
        found = []
        for back in self.t.timeline.values():
            if back.kind != "return" or not now - window - lookback < back.occurred_at <= now - window:
                continue
            pid = self._profile(back.anchor) or buyers.get(back.sale_id)
            if pid is None or any(
                self._profile(s.anchor) == pid and back.occurred_at < s.occurred_at <= back.occurred_at + window
                for s in self._purchases()
            ):
                continue
            found.append(
                {
                    "return_id": json.loads(back.detail).get("return_id"),
                    "sale_id": back.sale_id,
                    "occurred_at": back.occurred_at,
                    "market": back.market,
                    "location_id": back.location_id,
                    "profile_id": pid,
                }
            )
        return found


class FakeSegmentEntries:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def add(
        self, entry_id: str, segment: str, occasion: str, profile_id: uuid.UUID, entered_at: datetime
    ) -> bool:
        if entry_id in self.t.segment_entries:
            return False
        self.t.segment_entries[entry_id] = SegmentEntryRow(segment, occasion, profile_id, entered_at)
        return True

    async def entered(self, entry_ids: list[str]) -> set[str]:
        return {e for e in entry_ids if e in self.t.segment_entries}


class FakeShops:
    def __init__(self, tables: CrmTables) -> None:
        self.t = tables

    async def declare(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, declared_at: datetime
    ) -> None:
        known = self.t.shops.get(shop_id)
        if known is None or known.source == "registry" or declared_at >= known.declared_at:
            self.t.shops[shop_id] = ShopRow(kind, market, list(prefixes), opened_on, declared_at, "declared")

    async def register(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, registered_at: datetime
    ) -> None:
        self.t.shops.setdefault(shop_id, ShopRow(kind, market, list(prefixes), opened_on, registered_at, "registry"))

    async def get(self, shop_id: str) -> ShopOnRecord | None:
        row = self.t.shops.get(shop_id)
        if row is None:
            return None
        return ShopOnRecord(shop_id, row.kind, row.market, list(row.catchment_prefixes), row.opened_on, row.source)


class InMemoryCrmUnitOfWork(InMemoryUnitOfWork[DomainEvent, CrmTables], CrmUnitOfWork):
    def bind(self, tables: CrmTables) -> None:
        self.identity = FakeIdentityGraph(tables)
        self.merges = FakeMergeAudit(tables)
        self.erasure = FakeErasureLedger(tables, self.tx)
        self.consents = FakeConsentLog(tables)
        self.customers = FakeCustomerRecords(tables)
        self.segment_candidates = FakeSegmentCandidates(tables)
        self.segment_entries = FakeSegmentEntries(tables)
        self.shops = FakeShops(tables)
        self.access_log = FakeAccessLog(tables)


def new_store() -> MemoryStore[CrmTables]:
    return MemoryStore(CrmTables())


def unit_of_work(store: MemoryStore[CrmTables]) -> InMemoryCrmUnitOfWork:
    """A unit of work on its own transaction, with CRM's outbox and translators."""
    return InMemoryCrmUnitOfWork(OutboxWriter("crm", REGISTRY_FOR_CRM), to_contract, store=store)


def joining(tx: MemoryTransaction[CrmTables]) -> InMemoryCrmUnitOfWork:
    """A unit of work joining the consuming transaction, as the consumer's handlers get it."""
    return InMemoryCrmUnitOfWork(OutboxWriter("crm", REGISTRY_FOR_CRM), to_contract, transaction=tx)


class PostgresOnly(Exception):
    """What CRM's twin refuses by design: its set-based SQL (the bulk projection, the 360 view, the
    reports) would need a second implementation in memory, proving nothing about the real one.
    Those paths are proved by the connected tests."""


async def no_projection(run: Sequence[Observation], tx: MemoryTransaction[CrmTables]) -> None:
    """The bulk projection has no twin: a sale, return or order step reaching the twin's consumer
    is refused, so it is dead-lettered with this reason rather than silently dropped."""
    raise PostgresOnly("the projection of sales, returns and order steps runs on PostgreSQL only")


def consuming_service(
    store: MemoryStore[CrmTables], vault: KeyVault, clock: Clock
) -> InMemoryService[CrmTables, InMemoryCrmUnitOfWork]:
    """CRM's consumer on faststream's in-memory broker and the twin's store, decoding with CRM's
    readers as the live service does."""
    consumers = subscription(joining, no_projection, vault, clock)
    return InMemoryService(store, [consumers], unit_of_work, registry=REGISTRY_FOR_CRM)


class FakeVault:
    """The key store: a subject's fields sealed as JSON under its id, unreadable once destroyed."""

    def __init__(self, pepper: bytes = b"pepper" * 6) -> None:
        self._pepper = pepper
        self.keys: set[str] = set()
        self.destroyed: set[str] = set()

    async def pepper(self) -> bytes:
        return self._pepper

    def seal_now(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData:
        if subject_id in self.destroyed:
            raise PermissionError(f"the key of {subject_id} was destroyed")
        self.keys.add(subject_id)
        return SealedPersonalData(key_id=subject_id, nonce="bm9uY2U=", ciphertext=json.dumps(fields))

    async def seal(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData | None:
        return None if subject_id in self.destroyed else self.seal_now(subject_id, fields)

    async def open_many(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]:
        opened: list[dict[str, str] | None] = []
        for item in sealed:
            usable = item.key_id in self.keys and item.key_id not in self.destroyed
            opened.append(json.loads(item.ciphertext) if usable else None)
        return opened

    async def destroy(self, subject_ids: Sequence[str]) -> int:
        fresh = (set(subject_ids) & self.keys) - self.destroyed
        self.destroyed |= set(subject_ids)
        return len(fresh)


def no_read_side() -> Pool:
    """The 360 view and the reports read PostgreSQL with set-based SQL and have no twin: a route of
    theirs that gets past its guard on the twin fails here, loudly."""
    raise PostgresOnly("the 360 view and the reports read PostgreSQL only")


def http_edge(
    store: MemoryStore[CrmTables], vault: KeyVault, clock: Clock, *, lookup_rate_limit: str = "1000/minute"
) -> FastAPI:
    """CRM's routes, their guards and the shared error answers on the twin (no database, no relay),
    trusting this test session's token issuer (`staff_headers`) as the service under test does.
    Lookups are counted with the service's own limiter, in memory."""
    edge = Edge(no_read_side, lambda: unit_of_work(store), vault, clock, MovingWindowLookups(lookup_rate_limit))
    app = create_edge(title="crm on its twin", routers=routers(edge))
    install_verifier(app, session_verifier())
    return app
