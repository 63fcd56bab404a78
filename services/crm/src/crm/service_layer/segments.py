"""The periodic segment job: who enters a re-engagement segment now, for a marketing tool.

Each candidate needs a granted marketing consent and a contact reloop may use; it enters once per
occasion (the entry id derives from segment and occasion). The entry is recorded in the same
transaction as the event announcing it, and read back from CRM's own topic by a replay.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable

from crm.domain import events
from crm.domain import segments as rules
from crm.domain.consent_and_ownership import Contact
from crm.domain.observations import SealedFields
from crm.service_layer.erased_people import erased_among
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock

log = logging.getLogger(__name__)

OpenedContacts = dict[uuid.UUID, list[tuple[Contact, dict[str, str] | None]]]


async def evaluate_segments(uow_factory: Callable[[], CrmUnitOfWork], vault: KeyVault, clock: Clock) -> int:
    """Compute every segment now and publish who entered; returns how many entered."""
    at = clock.now()
    uow = uow_factory()
    async with uow:
        candidates = uow.segment_candidates
        found = rules.occasions(
            await candidates.warranty_ending(at, rules.WARRANTY_MONTHS, rules.WARRANTY_NOTICE),
            await candidates.first_shop_purchase(at, rules.LOOKBACK),
            await candidates.return_without_repurchase(at, rules.REPURCHASE_WINDOW, rules.LOOKBACK),
        )
        if not found:
            return 0
        already = await uow.segment_entries.entered([o.entry_id for o in found])
        consents = await uow.customers.consent_records(sorted({o.profile_id for o in found}))
        consenting = rules.consenting(found, already, consents)
        contacts = await _opened_contacts(uow, vault, sorted({c.occasion.profile_id for c in consenting}))
        entered = 0
        for entry in rules.entries(consenting, contacts):
            # Re-sealed under the customer's own key: none when their key was destroyed meanwhile.
            sealed = await vault.seal(entry.subject_id, entry.contact)
            if sealed is None:
                continue
            event = entry.announced(SealedFields(sealed.key_id, sealed.nonce, sealed.ciphertext), at)
            if await uow.segment_entries.add(event.entry_id, event.segment, event.occasion, event.profile_id, at):
                uow.record(event)
                entered += 1
        await uow.commit()
    if entered:
        log.info("customers entered segments", extra={"entered": entered})
    return entered


async def _opened_contacts(uow: CrmUnitOfWork, vault: KeyVault, profiles: list[uuid.UUID]) -> OpenedContacts:
    """Each profile's contacts, latest first, opened in one go (None where they cannot be)."""
    listed = [(pid, c) for pid, found in (await uow.customers.contacts(profiles)).items() for c in found]
    fields = await vault.open_many([SealedFields(c.key_id, c.nonce, c.ciphertext) for _, c in listed])
    opened: OpenedContacts = defaultdict(list)
    for (pid, contact), opened_fields in zip(listed, fields, strict=True):
        opened[pid].append((contact, opened_fields))
    return opened


async def when_segment_entered_record_it(
    event: events.CustomerSegmentEntered, uow: CrmUnitOfWork, vault: KeyVault
) -> None:
    """CRM's own event, read back: a no-op live, how a replay knows who already entered."""
    pepper = await vault.pepper()
    async with uow:
        if not await erased_among(uow, pepper, [f"profile:{event.profile_id}"]):
            await uow.segment_entries.add(
                event.entry_id, event.segment, event.occasion, event.profile_id, event.entered_at
            )
        await uow.commit()
