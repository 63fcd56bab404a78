"""Erasure (the right to be forgotten): what a request names, and when it is complete."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from crm.domain.errors import NotFound
from crm.domain.events import ErasureRequested
from crm.domain.identifiers import kind_of, value_of

SERVICE = "crm"
"""CRM's name as a holder of personal data, in its own confirmations."""


def erasure_request(
    profile_id: uuid.UUID | None, identifiers: Sequence[str], holders: Sequence[str], now: datetime
) -> ErasureRequested:
    """Name the profile's data subjects and accounts: every holder finds the person by those."""
    if not identifiers:
        raise NotFound(f"no profile {profile_id}", field="profile_id")
    return ErasureRequested(
        request_id=str(uuid.uuid4()),
        subject_ids=tuple(sorted(value_of(n) for n in identifiers if kind_of(n) == "subject")),
        customer_ids=tuple(sorted(value_of(n) for n in identifiers if kind_of(n) == "account")),
        holders=tuple(holders),
        requested_at=now,
    )


@dataclass(frozen=True)
class ErasureStatus:
    """A request and the confirmations of the holders that erased the person."""

    request_id: str
    holders: list[str]
    requested_at: datetime | None
    confirmations: dict[str, tuple[int, str, datetime]]
    requested_by: str | None = None
    """Who asked, when a customer asked for their own erasure (`audit.customer_actor`)."""

    @property
    def pending(self) -> list[str]:
        return [h for h in self.holders if h not in self.confirmations]

    @property
    def complete(self) -> bool:
        return bool(self.holders) and not self.pending
