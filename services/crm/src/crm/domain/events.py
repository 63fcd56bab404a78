"""What CRM decided, as plain facts: the unit of work records them and, on commit, the translators
(`adapters/translators.py`) turn them into the contract events CRM publishes.

CRM reads its own topics back (a replay learns the operators' decisions that way), so the
translators also turn those contract events into these."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeAlias

from crm.domain.observations import SealedFields


@dataclass(frozen=True)
class ProfilesMerged:
    merge_id: str
    profile_id: uuid.UUID
    merged_profile_id: uuid.UUID
    kept_identifiers: tuple[str, ...]
    merged_identifiers: tuple[str, ...]
    automatic: bool
    reason: str
    merged_by: str
    merged_at: datetime


@dataclass(frozen=True)
class ProfilesUnmerged:
    unmerge_id: str
    merge_id: str
    profile_id: uuid.UUID
    restored_profile_ids: tuple[uuid.UUID, ...]
    kept_identifiers: tuple[str, ...]
    merged_identifiers: tuple[str, ...]
    reason: str
    unmerged_by: str
    unmerged_at: datetime


@dataclass(frozen=True)
class ConsentChanged:
    change_id: str
    profile_id: uuid.UUID
    identifier: str
    purpose: str
    granted: bool
    captured_at: datetime
    captured_by: str


@dataclass(frozen=True)
class ErasureRequested:
    request_id: str
    subject_ids: tuple[str, ...]
    customer_ids: tuple[str, ...]
    holders: tuple[str, ...]
    requested_at: datetime


@dataclass(frozen=True)
class ErasureCompleted:
    request_id: str
    service: str
    records_erased: int
    detail: str
    completed_at: datetime


@dataclass(frozen=True)
class CustomerSegmentEntered:
    entry_id: str
    segment: str
    profile_id: uuid.UUID
    occasion: str
    marketing_consent_at: datetime
    entered_at: datetime
    contact: SealedFields | None = None
    market: str | None = None
    location_id: str | None = None
    sku: str | None = None
    sale_id: str | None = None
    return_id: str | None = None
    warranty_ends_at: datetime | None = None


@dataclass(frozen=True)
class ShopCatchmentDeclared:
    shop_id: str
    kind: str
    market: str
    catchment_prefixes: tuple[str, ...]
    opened_on: date
    declared_at: datetime


DomainEvent: TypeAlias = (
    ProfilesMerged
    | ProfilesUnmerged
    | ConsentChanged
    | ErasureRequested
    | ErasureCompleted
    | CustomerSegmentEntered
    | ShopCatchmentDeclared
)
