"""Re-engagement segments: who a marketing tool may approach again, and on what occasion.

Only customers whose current marketing consent is granted, with a contact reloop may use, enter a
segment; each occasion (a device line, a return, a first shop sale) enters it once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crm.domain.consent_and_ownership import ConsentRecord, Contact, current_consents
from crm.domain.events import CustomerSegmentEntered
from crm.domain.observations import SealedFields

WARRANTY_MONTHS = 12
"""Refurbished devices carry a 12-month warranty from the sale date."""

WARRANTY_NOTICE = timedelta(days=30)
"""A device enters `warranty_ending` when its warranty ends within this much time."""

REPURCHASE_WINDOW = timedelta(days=14)
"""A return with no purchase by the same customer within this long enters `return_without_repurchase`."""

LOOKBACK = timedelta(days=30)
"""Occasions older than this (beyond their own delay) are history, not a reason to write today."""

FIRST_SHOP_PURCHASE = "first_shop_purchase_without_account"
WARRANTY_ENDING = "warranty_ending"
RETURN_WITHOUT_REPURCHASE = "return_without_repurchase"
SEGMENTS = (FIRST_SHOP_PURCHASE, WARRANTY_ENDING, RETURN_WITHOUT_REPURCHASE)

CONTACT_FIELDS = ("email", "phone", "name")
"""What a marketing tool gets (sealed): enough to reach the customer, nothing more."""


def entry_id(segment: str, occasion: str) -> str:
    """Stable per segment and occasion, so an occasion enters a segment once, even across replays."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"crm-segment:{segment}:{occasion}"))


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it has no such day."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


@dataclass(frozen=True)
class Occasion:
    """A reason to approach a customer again: a segment, and what put them in it."""

    segment: str
    occasion: str
    profile_id: uuid.UUID
    market: str | None = None
    location_id: str | None = None
    sku: str | None = None
    sale_id: str | None = None
    return_id: str | None = None
    warranty_ends_at: datetime | None = None

    @property
    def entry_id(self) -> str:
        return entry_id(self.segment, self.occasion)


def occasions(
    warranty_ending: Sequence[Mapping[str, Any]],
    first_shop_purchase: Sequence[Mapping[str, Any]],
    return_without_repurchase: Sequence[Mapping[str, Any]],
) -> list[Occasion]:
    """The occasions the read model's candidates stand for, one per segment and occasion."""
    found = [
        Occasion(
            WARRANTY_ENDING,
            f"{row['sale_id']}/{row['line_id']}",
            row["profile_id"],
            row.get("market"),
            row.get("location_id"),
            row.get("sku"),
            row["sale_id"],
            warranty_ends_at=add_months(row["sold_at"], WARRANTY_MONTHS),
        )
        for row in warranty_ending
    ]
    found += [
        Occasion(
            FIRST_SHOP_PURCHASE,
            row["sale_id"],
            row["profile_id"],
            row.get("market"),
            row.get("location_id"),
            sale_id=row["sale_id"],
        )
        for row in first_shop_purchase
    ]
    found += [
        Occasion(
            RETURN_WITHOUT_REPURCHASE,
            row["return_id"],
            row["profile_id"],
            row.get("market"),
            row.get("location_id"),
            sale_id=row.get("sale_id"),
            return_id=row["return_id"],
        )
        for row in return_without_repurchase
    ]
    return found


@dataclass(frozen=True)
class Consenting:
    """An occasion whose customer currently agrees to marketing."""

    occasion: Occasion
    marketing_consent_at: datetime
    sharing: bool
    """Whether the customer agrees to partner sharing: a partner's contact is usable only then."""


def consenting(
    found: Sequence[Occasion], already: set[str], consents: Mapping[uuid.UUID, list[ConsentRecord]]
) -> list[Consenting]:
    """Occasions not entered yet, of customers whose current marketing consent is granted."""
    kept = []
    for occasion in found:
        if occasion.entry_id in already:
            continue
        state = current_consents(consents.get(occasion.profile_id, []))
        marketing = state["marketing"]
        if marketing.granted and marketing.captured_at is not None:
            kept.append(Consenting(occasion, marketing.captured_at, state["partner_sharing"].granted))
    return kept


@dataclass(frozen=True)
class Entry:
    """An occasion that enters its segment, with the contact to re-seal for the marketing tool."""

    occasion: Occasion
    marketing_consent_at: datetime
    subject_id: str
    contact: dict[str, str]

    def announced(self, contact: SealedFields, at: datetime) -> CustomerSegmentEntered:
        o = self.occasion
        return CustomerSegmentEntered(
            entry_id=o.entry_id,
            segment=o.segment,
            profile_id=o.profile_id,
            occasion=o.occasion,
            marketing_consent_at=self.marketing_consent_at,
            entered_at=at,
            contact=contact,
            market=o.market,
            location_id=o.location_id,
            sku=o.sku,
            sale_id=o.sale_id,
            return_id=o.return_id,
            warranty_ends_at=o.warranty_ends_at,
        )


def entries(
    candidates: Sequence[Consenting], contacts: Mapping[uuid.UUID, list[tuple[Contact, dict[str, str] | None]]]
) -> list[Entry]:
    """Who enters: the latest contact reloop may use (a partner's only while sharing holds), with
    an e-mail or a phone, cut down to what a marketing tool needs."""
    found = []
    for candidate in candidates:
        for contact, fields in contacts.get(candidate.occasion.profile_id, []):
            if not fields or (contact.data_owner == "partner" and not candidate.sharing):
                continue
            wanted = {k: v for k, v in fields.items() if k in CONTACT_FIELDS and v}
            if "email" in wanted or "phone" in wanted:
                found.append(Entry(candidate.occasion, candidate.marketing_consent_at, contact.subject_id, wanted))
                break
    return found
