"""What the read model holds before a handler runs, written straight into the twin's tables (the
projection that writes it live has its own, connected tests). A plain module: import what you use."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from crm.domain.audit import Access
from crm.domain.consent_and_ownership import Contact, StoredConsent
from crm.domain.identifiers import profile_id_for
from reloop_shared.memory import MemoryStore
from services.crm.tests.fakes import CrmTables, FakeVault, IdentifierRow, ProfileRow, TimelineRow

PEPPER = b"pepper" * 6
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
PRIVACY_OFFICE = Access("dpo", "staff", ("crm:erase",), "ticket PRIV-1", "corr-1", "POST /erasure-requests")
"""Who asks for an erasure in a handler test, and why (the audit records it)."""


def profile(store: MemoryStore[CrmTables], *identifiers: str, founded_at: datetime) -> uuid.UUID:
    """A profile founded by its first identifier, holding them all (seen when it was founded)."""
    pid = profile_id_for(PEPPER, identifiers[0])
    store.tables.profiles[pid] = ProfileRow(identifiers[0], founded_at)
    for name in identifiers:
        store.tables.identifiers[name] = IdentifierRow(pid, founded_at)
    for other in identifiers[1:]:
        store.tables.identity_links[(min(identifiers[0], other), max(identifiers[0], other))] = "evidence"
    return pid


def marketing(store: MemoryStore[CrmTables], identifier: str, granted: bool, at: datetime, **more: bool) -> None:
    key = f"{identifier}|{at.isoformat()}"
    store.tables.consents[key] = StoredConsent(
        key, identifier, at, "shop-1", "reloop", "SaleRecorded", None, granted, more.get("partner_sharing")
    )


def contact(
    store: MemoryStore[CrmTables], vault: FakeVault, subject: str, fields: dict[str, str], at: datetime, **how: str
) -> None:
    sealed = vault.seal_now(subject, fields)
    store.tables.contacts[subject] = Contact(
        subject,
        how.get("owner", "reloop"),
        how.get("captured_by", "shop-1"),
        at,
        sealed.key_id,
        sealed.nonce,
        sealed.ciphertext,
    )


def purchase(
    store: MemoryStore[CrmTables],
    sale_id: str,
    anchor: str | None,
    at: datetime,
    channel: str = "own_shop",
    **detail: Any,
) -> None:
    store.tables.timeline[f"sale:{sale_id}"] = TimelineRow(
        "purchase", at, anchor, sale_id, channel, "shop-1", "FR", json.dumps(detail)
    )
    store.tables.sale_catchments[sale_id] = "75"


def return_of(store: MemoryStore[CrmTables], sale_id: str, return_id: str, at: datetime, *line_ids: str) -> None:
    detail = {"return_id": return_id, "lines": [{"line_id": line} for line in line_ids]}
    store.tables.timeline[f"return:{return_id}"] = TimelineRow(
        "return", at, None, sale_id, "online", "wh-1", "FR", json.dumps(detail)
    )
