"""The periodic segment job: who enters a re-engagement segment now, for a marketing tool.

Each candidate needs a granted marketing consent and a contact reloop may use; it enters once per
occasion (the entry id derives from segment and occasion). The entry is recorded in the same
transaction as the event it publishes, and read back from CRM's own topic by a replay.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from crm.adapters.queries import Contact, ProfileQueries, SegmentQueries
from crm.adapters.vault import Vault
from crm.domain import segments as rules
from crm.domain.usage import ConsentState, current_consents
from crm.service_layer.clock import Clock
from crm.service_layer.forgotten import forgotten
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.common import SealedPersonalData
from reloop_contracts.crm import CustomerSegmentEntered

log = logging.getLogger(__name__)


def _add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


async def evaluate_segments(uow_factory: Callable[[], CrmUnitOfWork], vault: Vault, now: Clock) -> int:
    """Compute every segment at `now()` and publish who entered; returns how many entered."""
    at = now()
    uow = uow_factory()
    async with uow:
        found = SegmentQueries(uow.conn)
        candidates: list[tuple[str, str, dict[str, Any]]] = []
        for row in await found.warranty_ending(at, rules.WARRANTY_MONTHS, rules.WARRANTY_NOTICE):
            ends = _add_months(row["sold_at"], rules.WARRANTY_MONTHS)
            row["warranty_ends_at"] = ends
            candidates.append((rules.WARRANTY_ENDING, f"{row['sale_id']}/{row['line_id']}", row))
        for row in await found.first_shop_purchase(at, rules.LOOKBACK):
            candidates.append((rules.FIRST_SHOP_PURCHASE, row["sale_id"], row))
        for row in await found.return_without_repurchase(at, rules.REPURCHASE_WINDOW, rules.LOOKBACK):
            candidates.append((rules.RETURN_WITHOUT_REPURCHASE, row["return_id"], row))
        if not candidates:
            return 0
        already = await uow.reference.entered([rules.entry_id(s, o) for s, o, _ in candidates])
        candidates = [c for c in candidates if rules.entry_id(c[0], c[1]) not in already]
        profiles = sorted({row["profile_id"] for _, _, row in candidates})
        queries = ProfileQueries(uow.conn)
        consents = await queries.consent_records(profiles)
        contacts = await queries.contacts(profiles)
        entered = 0
        for segment, occasion, row in candidates:
            pid = row["profile_id"]
            state = current_consents(consents.get(pid, []))
            marketing = state["marketing"]
            if not marketing.granted or marketing.captured_at is None:
                continue
            contact = await _reachable(vault, contacts.get(pid, []), state["partner_sharing"])
            if contact is None:
                continue
            event = CustomerSegmentEntered(
                entry_id=rules.entry_id(segment, occasion),
                segment=segment,
                profile_id=str(pid),
                occasion=occasion,
                market=row.get("market"),
                location_id=row.get("location_id"),
                sku=row.get("sku"),
                sale_id=row.get("sale_id"),
                return_id=row.get("return_id"),
                warranty_ends_at=row.get("warranty_ends_at"),
                contact=contact,
                marketing_consent_at=marketing.captured_at,
                entered_at=at,
            )
            if await uow.reference.add_segment_entry(event.entry_id, segment, occasion, pid, at):
                uow.publish(event)
                entered += 1
        await uow.commit()
    if entered:
        log.info("customers entered segments", extra={"entered": entered})
    return entered


async def _reachable(vault: Vault, contacts: list[Contact], sharing: ConsentState) -> SealedPersonalData | None:
    """The latest contact reloop may use, re-sealed with only what a marketing tool needs."""
    for contact in contacts:
        if contact.data_owner == "partner" and not sharing.granted:
            continue
        sealed = SealedPersonalData(key_id=contact.key_id, nonce=contact.nonce, ciphertext=contact.ciphertext)
        fields = await vault.open(sealed)
        if not fields:
            continue
        wanted = {k: v for k, v in fields.items() if k in rules.CONTACT_FIELDS and v}
        if "email" in wanted or "phone" in wanted:
            return await vault.seal(contact.subject_id, wanted)
    return None


async def when_segment_entered_record_it(event: CustomerSegmentEntered, uow: CrmUnitOfWork, vault: Vault) -> None:
    """CRM's own event, read back: a no-op live, how a replay knows who already entered."""
    async with uow:
        if not await forgotten(uow, await vault.pepper(), [f"profile:{event.profile_id}"]):
            await uow.reference.add_segment_entry(
                event.entry_id, event.segment, event.occasion, uuid.UUID(event.profile_id), event.entered_at
            )
        await uow.commit()
