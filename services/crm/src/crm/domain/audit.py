"""The audit of personal data: who opened, looked up, exported or erased whose data, and why.

A record names the pseudonymous profile and what was done (which fields were opened, which kind
of identifier a lookup used), never the data itself, so it outlives an erasure. Staff say why in
a purpose of their own; a customer acting on their own data needs none: the purpose recorded is
the data subject's request itself.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from crm.domain.errors import CrmError
from crm.domain.matching import tombstone

Action = Literal["read", "lookup", "lookup-refused", "export", "erasure"]
"""`lookup-refused`: a lookup the rate limit turned away. It opened nothing, but recorded, an
enumeration shows in the audit; kept apart from `lookup` so the count of real lookups stays true."""
ActorKind = Literal["staff", "customer"]

PURPOSE_MAX = 200
ACCESS_REQUEST = "data subject request (art. 15)"
ERASURE_REQUEST = "data subject request (art. 17)"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class NoPurposeGiven(CrmError):
    """Staff opening or looking up personal data must say why (X-Purpose)."""


def purpose_of(text: str | None) -> str:
    """A staff member's reason, as recorded: short free text, one line."""
    purpose = (text or "").strip()
    if not purpose:
        raise NoPurposeGiven("say why you open this personal data", field="X-Purpose")
    if len(purpose) > PURPOSE_MAX or _CONTROL.search(purpose):
        raise NoPurposeGiven(f"a purpose is one line of at most {PURPOSE_MAX} characters", field="X-Purpose")
    return purpose


def customer_actor(pepper: bytes, account_id: str) -> str:
    """How a customer acting on their own data is named in the audit and on their erasure request:
    a keyed hash of their account, as erased identifiers are remembered, so an erasure leaves
    nothing in clear behind."""
    return tombstone(pepper, f"account:{account_id}")


@dataclass(frozen=True)
class Access:
    """Who asks, with which rights, why, and through which request and route."""

    actor: str
    actor_kind: ActorKind
    scopes: tuple[str, ...]
    purpose: str
    request_id: str | None
    route: str

    def record(
        self, action: Action, profile_id: uuid.UUID | None, fields: list[str], at: datetime, record_id: uuid.UUID
    ) -> AccessRecord:
        return AccessRecord(
            record_id,
            at,
            self.actor,
            self.actor_kind,
            list(self.scopes),
            profile_id,
            action,
            sorted(set(fields)),
            self.purpose,
            self.request_id,
            self.route,
        )


@dataclass(frozen=True)
class AccessRecord:
    """One row of the audit."""

    id: uuid.UUID
    at: datetime
    actor: str
    actor_kind: ActorKind
    scopes: list[str]
    profile_id: uuid.UUID | None
    action: Action
    fields: list[str]
    purpose: str
    request_id: str | None
    route: str


def opened_fields(personal_data: list[dict[str, object]]) -> list[str]:
    """The names of the fields a view opened (its records' `fields`, where not null)."""
    return sorted({name for record in personal_data if isinstance(f := record.get("fields"), dict) for name in f})
