"""Ownership and consent: may CRM use what an event says about a customer, and who may use a record.

The rules store-sync enforces at the till, checked again here so a record is never used beyond
what its owner and the customer allowed:

- reloop-owned data (online, own shops) is reloop's customer record;
- partner-owned data (a partner shop's customer) reaches reloop only when the customer agreed to
  partner sharing; without it the sale is anonymous: no identifier, no contact, no consent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crm.domain.observations import Customer

PURPOSES = ("transactional", "marketing", "partner_sharing")

DEFAULTS: dict[str, bool] = {"transactional": True, "marketing": False, "partner_sharing": False}
"""Transactional messages go with a purchase (the contract is the basis) until withdrawn; marketing
and partner sharing need the customer's yes."""


def may_use(customer: Customer) -> bool:
    if customer.data_owner == "reloop":
        return True
    return customer.consent is not None and customer.consent.partner_sharing


@dataclass(frozen=True)
class ConsentState:
    purpose: str
    granted: bool
    captured_at: datetime | None
    captured_by: str | None


@dataclass(frozen=True)
class Usage:
    """Who may use one record of a profile, and why."""

    record: str
    owner: str
    may_use: tuple[str, ...]
    why: str
    usable_by_reloop: bool


def account_usage(account_id: str) -> Usage:
    return Usage(f"account:{account_id}", "reloop", ("reloop",), "reloop's own online customer account", True)


def contact_usage(subject_id: str, owner: str, captured_by: str, sharing: ConsentState) -> Usage:
    record = f"subject:{subject_id}"
    shared = sharing.granted
    when = f"on {sharing.captured_at:%Y-%m-%d} at {sharing.captured_by}" if sharing.captured_at else ""
    if owner == "reloop":
        if shared:
            why = f"captured by reloop ({captured_by}); the customer agreed to partner sharing {when}"
            return Usage(record, owner, ("reloop", "partner"), why, True)
        return Usage(record, owner, ("reloop",), f"captured by reloop ({captured_by}); not shared with partners", True)
    if shared:
        why = f"owned by the partner shop {captured_by}; reloop may use it: the customer agreed to sharing {when}"
        return Usage(record, owner, ("partner", "reloop"), why, True)
    why = f"owned by the partner shop {captured_by}; sharing was withdrawn {when}, so reloop may no longer use it"
    return Usage(record, owner, ("partner",), why, False)


@dataclass(frozen=True)
class ConsentRecord:
    """One capture of one or more purposes (a purpose left None was not stated)."""

    record_key: str
    captured_at: datetime
    captured_by: str
    transactional: bool | None
    marketing: bool | None
    partner_sharing: bool | None

    def says(self, purpose: str) -> bool | None:
        value: bool | None = getattr(self, purpose)
        return value


@dataclass(frozen=True)
class StoredConsent:
    """One capture as CRM keeps it: against an identifier, with who owns it and where it came from."""

    record_key: str
    identifier: str
    captured_at: datetime
    captured_by: str
    data_owner: str
    source: str
    transactional: bool | None
    marketing: bool | None
    partner_sharing: bool | None


def consent_change(
    record_key: str, identifier: str, purpose: str, granted: bool, at: datetime, by: str
) -> StoredConsent:
    """A change made through CRM: one purpose stated, reloop's record."""
    said: dict[str, bool | None] = dict.fromkeys(PURPOSES)
    said[purpose] = granted
    return StoredConsent(
        record_key,
        identifier,
        at,
        by,
        "reloop",
        "ConsentChanged",
        said["transactional"],
        said["marketing"],
        said["partner_sharing"],
    )


@dataclass(frozen=True)
class Contact:
    """A data subject's latest contact details, sealed as they travelled."""

    subject_id: str
    data_owner: str
    captured_by: str
    captured_at: datetime
    key_id: str
    nonce: str
    ciphertext: str


def current_consents(records: list[ConsentRecord]) -> dict[str, ConsentState]:
    """Per purpose, the latest capture that states it (ties broken by record key); else the default."""
    ordered = sorted(records, key=lambda r: (r.captured_at, r.record_key))
    state = {p: ConsentState(p, DEFAULTS[p], None, None) for p in PURPOSES}
    for record in ordered:
        for purpose in PURPOSES:
            said = record.says(purpose)
            if said is not None:
                state[purpose] = ConsentState(purpose, said, record.captured_at, record.captured_by)
    return state
