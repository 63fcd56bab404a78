"""What CRM's handlers need of storage and of the key store, as protocols: PostgreSQL implements
them in `adapters/`, the in-memory twin in `tests/fakes.py`, with the same answers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from crm.domain.audit import AccessRecord
from crm.domain.consent_and_ownership import ConsentRecord, Contact, StoredConsent
from crm.domain.erasure import ErasureStatus
from crm.domain.identity import Known, Resolution
from crm.domain.merges import MergeRecord, Separation
from crm.domain.observations import Sealed
from crm.domain.shops import ShopOnRecord
from reloop_contracts.common import SealedPersonalData


class IdentityGraph(Protocol):
    """Identifiers, the profiles they form, the links between them and the separations un-merges
    left. Changes are serialised: `lock` first."""

    async def lock(self) -> None: ...

    async def known(self, identifiers: Sequence[str]) -> dict[str, Known]: ...

    async def identifiers_of(self, profile_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[str]]: ...

    async def apply(self, resolution: Resolution) -> None: ...

    async def save_profiles(self, profiles: Sequence[tuple[uuid.UUID, str, datetime | None]]) -> None: ...

    async def add_links(self, links: Mapping[tuple[str, str], str]) -> None: ...

    async def ensure(self, first_seen: Mapping[str, datetime | None], *, constrained: bool = False) -> None: ...

    async def component(self, seeds: Sequence[str]) -> tuple[dict[str, datetime | None], dict[str, uuid.UUID]]: ...

    async def links_among(self, identifiers: Sequence[str]) -> list[tuple[str, str]]: ...

    async def separations_touching(self, identifiers: Sequence[str]) -> list[Separation]: ...

    async def reassign(self, assignment: Mapping[str, uuid.UUID], retired: Iterable[uuid.UUID]) -> None: ...

    async def add_separation(
        self, unmerge_id: str, merge_id: str, a: list[str], b: list[str], by: str, reason: str, at: datetime
    ) -> None: ...

    async def founding_of(self, profile_id: uuid.UUID) -> tuple[datetime | None, str] | None: ...

    async def profile_of(self, identifier: str) -> uuid.UUID | None: ...


class MergeAudit(Protocol):
    async def record(self, merges: list[MergeRecord]) -> None: ...

    async def get(self, merge_id: str) -> MergeRecord | None: ...

    async def mark_undone_earlier(self, merge_id: str) -> None: ...

    async def mark_unmerged(self, merge_id: str, unmerge_id: str, by: str, at: datetime, reason: str) -> None: ...


class ErasureLedger(Protocol):
    """Erasure requests and confirmations, what is remembered of erased people (keyed hashes), and
    forgetting a person everywhere in CRM."""

    async def hold_off_erasures(self) -> None: ...

    async def exclude_everyone(self) -> None: ...

    async def any_erased(self) -> bool: ...

    async def erased(self, hashes: Iterable[str]) -> set[str]: ...

    async def tombstone(self, hashes: Iterable[str], request_id: str, at: datetime) -> None: ...

    async def person(self, identifiers: Sequence[str]) -> tuple[list[str], list[uuid.UUID]]: ...

    async def former_profiles(self, profile_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]: ...

    async def purchases_of(self, identifiers: Sequence[str]) -> list[str]: ...

    async def threads_of(self, identifiers: Sequence[str]) -> list[str]:
        """The trade-ins, vouchers, repair subscriptions and tickets (timeline threads) whose entries
        name these identifiers."""
        ...

    async def forget(
        self, identifiers: Sequence[str], profile_ids: Iterable[uuid.UUID], sale_ids: Sequence[str], request_id: str
    ) -> int: ...

    async def record_request(
        self, request_id: str, holders: Sequence[str], requested_at: datetime, requested_by: str | None = None
    ) -> None:
        """The first record of a request stays (with who asked, when a customer asked)."""
        ...

    async def confirm(self, request_id: str, service: str, records: int, detail: str, at: datetime) -> None: ...

    async def status(self, request_id: str) -> ErasureStatus | None: ...


class AccessLog(Protocol):
    """The audit of personal data: append-only, read newest first (keyset on `(at, id)`)."""

    async def append(self, record: AccessRecord) -> None: ...

    async def newest(
        self,
        *,
        profile_id: uuid.UUID | None,
        actor: str | None,
        limit: int,
        before: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[AccessRecord]:
        """At most `limit` records, newest first, older than `before` when given."""
        ...


class LookupLimiter(Protocol):
    """How many lookups a caller may make in a moving window."""

    async def wait_before_next(self, caller: str) -> int | None:
        """None when `caller` may look up now (and it counts); else the seconds to wait."""
        ...


class ConsentLog(Protocol):
    """Every capture of consent, per identifier; the first capture of a record key stays."""

    async def add(self, consent: StoredConsent) -> None: ...


class CustomerRecords(Protocol):
    """Per profile, what its identifiers' consents and contacts say."""

    async def consent_records(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[ConsentRecord]]: ...

    async def contacts(self, profile_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Contact]]:
        """Latest first."""
        ...


class SegmentCandidates(Protocol):
    """Occasions in the read model that may put a customer in a segment now (rows of the query)."""

    async def warranty_ending(self, now: datetime, months: int, notice: timedelta) -> list[dict[str, Any]]: ...

    async def first_shop_purchase(self, now: datetime, lookback: timedelta) -> list[dict[str, Any]]: ...

    async def return_without_repurchase(
        self, now: datetime, window: timedelta, lookback: timedelta
    ) -> list[dict[str, Any]]: ...


class SegmentEntries(Protocol):
    async def add(
        self, entry_id: str, segment: str, occasion: str, profile_id: uuid.UUID, entered_at: datetime
    ) -> bool:
        """False when the occasion had entered its segment already."""
        ...

    async def entered(self, entry_ids: list[str]) -> set[str]: ...


class Shops(Protocol):
    async def declare(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, declared_at: datetime
    ) -> None:
        """The latest declaration wins, whatever order they are read in, and over the registry."""
        ...

    async def register(
        self, shop_id: str, kind: str, market: str, prefixes: list[str], opened_on: date, registered_at: datetime
    ) -> None:
        """A shop as store-sync's registry knows it, unless it was declared in CRM."""
        ...

    async def get(self, shop_id: str) -> ShopOnRecord | None: ...


class KeyVault(Protocol):
    """The key store, as CRM uses it: open and seal personal data, destroy a subject's key."""

    async def pepper(self) -> bytes: ...

    async def open_many(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]: ...

    async def seal(self, subject_id: str, fields: dict[str, str]) -> SealedPersonalData | None: ...

    async def destroy(self, subject_ids: Sequence[str]) -> int: ...
