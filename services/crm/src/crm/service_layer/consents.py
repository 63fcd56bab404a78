"""Consent changed through CRM: recorded against the profile's founding identifier, with history."""

from __future__ import annotations

import uuid
from datetime import datetime

from crm.adapters.vault import Vault
from crm.domain import commands
from crm.domain.errors import NotFound
from crm.service_layer.forgotten import forgotten
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.crm import ConsentChanged


async def change_consent(cmd: commands.ChangeConsent, uow: CrmUnitOfWork, now: datetime) -> ConsentChanged:
    async with uow:
        await uow.identity.lock()
        founding = await uow.identity.founding_of(cmd.profile_id)
        if founding is None:
            raise NotFound(f"no profile {cmd.profile_id}", field="profile_id")
        event = ConsentChanged(
            change_id=str(uuid.uuid4()),
            profile_id=str(cmd.profile_id),
            identifier=founding[1],
            purpose=cmd.purpose,
            granted=cmd.granted,
            captured_at=now,
            captured_by=cmd.captured_by,
        )
        await _record(uow, event)
        uow.publish(event)
        await uow.commit()
    return event


async def when_consent_changed_record_it(event: ConsentChanged, uow: CrmUnitOfWork, vault: Vault) -> None:
    """CRM's own event, read back: a no-op live (the change is recorded already), the history for a replay."""
    async with uow:
        if not await forgotten(uow, await vault.pepper(), [event.identifier, f"profile:{event.profile_id}"]):
            await _record(uow, event)
        await uow.commit()


async def _record(uow: CrmUnitOfWork, event: ConsentChanged) -> None:
    said: dict[str, bool | None] = {"transactional": None, "marketing": None, "partner_sharing": None}
    said[event.purpose] = event.granted
    await uow.projection.add_consents(
        [
            (
                f"change:{event.change_id}",
                event.identifier,
                event.captured_at,
                event.captured_by,
                "reloop",
                "ConsentChanged",
                said["transactional"],
                said["marketing"],
                said["partner_sharing"],
            )
        ]
    )
