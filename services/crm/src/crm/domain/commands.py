"""What CRM is asked to do, through its API or by other services' events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class MergeProfiles:
    profile_id: uuid.UUID
    other_profile_id: uuid.UUID
    reason: str
    requested_by: str


@dataclass(frozen=True)
class UndoMerge:
    merge_id: str
    reason: str
    requested_by: str


@dataclass(frozen=True)
class ChangeConsent:
    profile_id: uuid.UUID
    purpose: str
    granted: bool
    captured_by: str


@dataclass(frozen=True)
class RequestErasure:
    profile_id: uuid.UUID


@dataclass(frozen=True)
class RequestOwnErasure:
    """A customer asking, with their own token, to be erased: their account names them."""

    account_id: str


@dataclass(frozen=True)
class ExportOwnData:
    """A customer asking, with their own token, for what CRM holds on them (art. 15)."""

    account_id: str


@dataclass(frozen=True)
class DeclareShop:
    shop_id: str
    kind: str
    market: str
    catchment_prefixes: tuple[str, ...]
    opened_on: date


@dataclass(frozen=True)
class RecordRegisteredShop:
    """A shop store-sync's registry announced."""

    shop_id: str
    kind: str
    market: str
    postal_code: str | None
    opens_on: date | None
    registered_at: datetime


@dataclass(frozen=True)
class FindProfile:
    """One of the identifiers a profile may be found by (the first given is used)."""

    account_id: str | None = None
    subject_id: str | None = None
    email: str | None = None
    phone: str | None = None

    def kind(self) -> str:
        """Which identifier the lookup uses, as the audit records it (never its value)."""
        given = {"account_id": self.account_id, "subject_id": self.subject_id, "email": self.email}
        return next((k for k, v in given.items() if v), "phone" if self.phone else "none")
