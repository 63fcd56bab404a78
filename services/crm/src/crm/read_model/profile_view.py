"""A profile's 360 view: identifiers, contact details (opened only where reloop may use them, and
only for a reader allowed personal data), consent per purpose with history, who may use each record
and why, the timeline, merges."""

from __future__ import annotations

import uuid
from typing import Any

from crm.adapters.merge_repository import MergeRepository
from crm.adapters.queries import ProfileQueries
from crm.domain.consent_and_ownership import Contact, Usage, account_usage, contact_usage, current_consents
from crm.domain.errors import NotFound
from crm.domain.identifiers import kind_of, value_of
from crm.domain.observations import SealedFields
from crm.service_layer.ports import KeyVault
from reloop_shared.db.types import Connection


def _shown(identifier: str) -> str:
    """Account and subject ids as they are; matching hashes shortened (they mean nothing outside)."""
    return identifier if kind_of(identifier) in ("account", "subject") else identifier[:22] + "..."


def _sealed(contact: Contact) -> SealedFields:
    return SealedFields(contact.key_id, contact.nonce, contact.ciphertext)


async def profile_view(conn: Connection, vault: KeyVault, profile_id: uuid.UUID, *, personal: bool) -> dict[str, Any]:
    """The view; with `personal` false the contact details stay sealed (never opened) and every
    `fields` is null: the reader may see that a record exists and who may use it, not what it says."""
    queries = ProfileQueries(conn)
    profile = await queries.profile(profile_id)
    if profile is None:
        merged_into = await MergeRepository(conn).merged_into(profile_id)
        raise NotFound(
            f"no profile {profile_id}" + (f"; it was merged into {merged_into}" if merged_into else ""),
            field="profile_id",
        )
    identifiers = await queries.identifiers(profile_id)
    records = (await queries.consent_records([profile_id])).get(profile_id, [])
    consents = current_consents(records)
    usage: list[Usage] = [account_usage(value_of(i["identifier"])) for i in identifiers if i["kind"] == "account"]
    contacts = (await queries.contacts([profile_id])).get(profile_id, [])
    rules = [contact_usage(c.subject_id, c.data_owner, c.captured_by, consents["partner_sharing"]) for c in contacts]
    usage += rules
    # Opened only where reloop may use the record and the reader may see personal data, all in one go.
    usable = [c for c, rule in zip(contacts, rules, strict=True) if rule.usable_by_reloop and personal]
    opened = dict(zip(map(id, usable), await vault.open_many([_sealed(c) for c in usable]), strict=True))
    details = [
        {
            "subject_id": contact.subject_id,
            "data_owner": contact.data_owner,
            "captured_by": contact.captured_by,
            "captured_at": contact.captured_at,
            "usable_by_reloop": rule.usable_by_reloop,
            "fields": opened.get(id(contact)),
        }
        for contact, rule in zip(contacts, rules, strict=True)
    ]
    return {
        "profile_id": str(profile_id),
        "founded_at": profile["founded_at"],
        "identifiers": [
            {"kind": i["kind"], "identifier": _shown(i["identifier"]), "first_seen_at": i["first_seen_at"]}
            for i in identifiers
        ],
        "personal_data": details,
        "personal_data_redacted": not personal,
        "consents": {
            purpose: {"granted": s.granted, "captured_at": s.captured_at, "captured_by": s.captured_by}
            for purpose, s in consents.items()
        },
        "consent_history": [
            {
                "captured_at": r.captured_at,
                "captured_by": r.captured_by,
                **{p: r.says(p) for p in ("transactional", "marketing", "partner_sharing") if r.says(p) is not None},
            }
            for r in sorted(records, key=lambda r: (r.captured_at, r.record_key))
        ],
        "usage": [
            {"record": _shown(u.record), "owner": u.owner, "may_use": list(u.may_use), "why": u.why} for u in usage
        ],
        "timeline": await queries.timeline(profile_id),
        "merges": [
            {
                "merge_id": m.merge_id,
                "profile_id": str(m.profile_id),
                "merged_profile_id": str(m.merged_profile_id),
                "automatic": m.automatic,
                "reason": m.reason,
                "merged_by": m.merged_by,
                "merged_at": m.merged_at,
                "unmerged_at": m.unmerged_at,
            }
            for m in await MergeRepository(conn).of_profile(profile_id)
        ],
        "segments": await queries.segment_entries(profile_id),
    }
