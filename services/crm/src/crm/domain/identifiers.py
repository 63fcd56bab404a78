"""Identifiers: how CRM names a person without naming them.

`account:<online account id>` and `subject:<data subject id>` are pseudonymous ids; `email:<hmac>`
and `phone:<hmac>` are keyed matching hashes of the normalised value. A profile is a group of
identifiers; its id derives from its founding identifier (the one seen first, ties broken by
name), so the same events give the same ids whatever order they were consumed in.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

Kind = Literal["account", "subject", "email", "phone"]

STRENGTH: dict[str, int] = {"account": 0, "subject": 1, "email": 2, "phone": 3}
"""Which identifier an event's timeline entry and consent hang on: the strongest it carries."""

NEVER = datetime.max.replace(tzinfo=UTC)
"""The first-seen time of an identifier named by an operator but not seen in any event yet."""


def key(kind: Kind, value: str) -> str:
    return f"{kind}:{value}"


def kind_of(identifier: str) -> Kind:
    kind = identifier.split(":", 1)[0]
    if kind not in STRENGTH:
        raise ValueError(f"not an identifier: {identifier!r}")
    return kind  # type: ignore[return-value]


def value_of(identifier: str) -> str:
    return identifier.split(":", 1)[1]


def anchor_of(identifiers: Iterable[str]) -> str | None:
    """The strongest identifier (account, then subject, then email, then phone)."""
    return min(identifiers, key=lambda i: (STRENGTH[kind_of(i)], i), default=None)


def founding_order(first_seen: datetime | None, identifier: str) -> tuple[datetime, int, str]:
    """Seen first founds the profile; among identifiers first seen together, the strongest. An
    e-mail or phone always arrives with its subject, so a founding identifier is an account or a
    subject, which an erasure request names."""
    return (first_seen or NEVER, STRENGTH[kind_of(identifier)], identifier)


def profile_id_for(pepper: bytes, founding: str) -> uuid.UUID:
    """Keyed, so a profile id cannot be computed from an account id by anyone without the pepper."""
    digest = hmac.new(pepper, f"profile:{founding}".encode(), hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)
