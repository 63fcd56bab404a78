"""Consent changed through CRM: recorded against the profile's founding identifier, with history."""

from __future__ import annotations

import uuid

from crm.domain import commands, events
from crm.domain.consent_and_ownership import StoredConsent, consent_change
from crm.domain.errors import NotFound
from crm.service_layer.erased_people import erased_among
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock


async def change_consent(cmd: commands.ChangeConsent, uow: CrmUnitOfWork, clock: Clock) -> events.ConsentChanged:
    async with uow:
        await uow.identity.lock()
        founding = await uow.identity.founding_of(cmd.profile_id)
        if founding is None:
            raise NotFound(f"no profile {cmd.profile_id}", field="profile_id")
        event = events.ConsentChanged(
            change_id=str(uuid.uuid4()),
            profile_id=cmd.profile_id,
            identifier=founding[1],
            purpose=cmd.purpose,
            granted=cmd.granted,
            captured_at=clock.now(),
            captured_by=cmd.captured_by,
        )
        await uow.consents.add(_stored(event))
        uow.record(event)
        await uow.commit()
    return event


async def when_consent_changed_record_it(event: events.ConsentChanged, uow: CrmUnitOfWork, vault: KeyVault) -> None:
    """CRM's own event, read back: a no-op live (the change is recorded already), the history for a replay."""
    pepper = await vault.pepper()
    async with uow:
        if not await erased_among(uow, pepper, [event.identifier, f"profile:{event.profile_id}"]):
            await uow.consents.add(_stored(event))
        await uow.commit()


def _stored(event: events.ConsentChanged) -> StoredConsent:
    return consent_change(
        f"change:{event.change_id}",
        event.identifier,
        event.purpose,
        event.granted,
        event.captured_at,
        event.captured_by,
    )
