"""Finding a profile by one of its identifiers: an account or subject id as it is, an e-mail or
phone through its keyed matching hash."""

from __future__ import annotations

import uuid

from crm.domain import commands
from crm.domain.errors import NoIdentifierGiven, NotFound
from crm.domain.matching import email_identifier, phone_identifier
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork


async def find_profile(query: commands.FindProfile, uow: CrmUnitOfWork, vault: KeyVault) -> uuid.UUID:
    if query.account_id:
        identifier = f"account:{query.account_id}"
    elif query.subject_id:
        identifier = f"subject:{query.subject_id}"
    elif query.email:
        identifier = email_identifier(await vault.pepper(), query.email)
    elif query.phone:
        identifier = phone_identifier(await vault.pepper(), query.phone)
    else:
        raise NoIdentifierGiven("give account_id, subject_id, email or phone", field="account_id")
    async with uow:
        found = await uow.identity.profile_of(identifier)
    if found is None:
        raise NotFound("no profile has that identifier")
    return found
