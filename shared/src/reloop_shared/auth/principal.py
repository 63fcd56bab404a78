"""The caller a request was authenticated as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

STAFF = "reloop-staff"
"""The audience of staff and back-office tokens."""

STOREFRONT = "storefront"
"""The audience of customer tokens: their subject is the customer id."""


@dataclass(frozen=True)
class Principal:
    subject: str
    audience: str
    scopes: frozenset[str]
    expires_at: datetime
    token_id: str

    def may(self, scope: str) -> bool:
        return scope in self.scopes
