"""Finding a profile by one of its identifiers: an account or subject id as it is, an e-mail or
phone through its keyed matching hash (so only an exact match finds anyone).

Staff lookups (`look_up`) are rate-limited per caller and audited, found or not, refused or
not: an enumeration of e-mail addresses is slow, and shows in the audit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crm.domain import commands
from crm.domain.audit import Access, Action
from crm.domain.errors import NoIdentifierGiven, NotFound
from crm.domain.matching import email_identifier, phone_identifier
from crm.service_layer.ports import KeyVault, LookupLimiter
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock


@dataclass(frozen=True)
class Refused:
    """Too many lookups: the caller may try again in `retry_after_s` seconds."""

    retry_after_s: int


async def identifier_of(query: commands.FindProfile, vault: KeyVault) -> str:
    if query.account_id:
        return f"account:{query.account_id}"
    if query.subject_id:
        return f"subject:{query.subject_id}"
    if query.email:
        return email_identifier(await vault.pepper(), query.email)
    if query.phone:
        return phone_identifier(await vault.pepper(), query.phone)
    raise NoIdentifierGiven("give account_id, subject_id, email or phone", field="account_id")


async def find_profile(query: commands.FindProfile, uow: CrmUnitOfWork, vault: KeyVault) -> uuid.UUID:
    identifier = await identifier_of(query, vault)
    async with uow:
        found = await uow.identity.profile_of(identifier)
    if found is None:
        raise NotFound("no profile has that identifier")
    return found


async def look_up(
    query: commands.FindProfile,
    uow: CrmUnitOfWork,
    vault: KeyVault,
    limiter: LookupLimiter,
    access: Access,
    clock: Clock,
) -> uuid.UUID | Refused:
    """A staff lookup: counted against the caller's window, recorded (the identifier's kind, never
    its value) before the answer leaves; a lookup that finds nobody is recorded too."""
    identifier = await identifier_of(query, vault)
    wait = await limiter.wait_before_next(access.actor)
    async with uow:
        found = await uow.identity.profile_of(identifier) if wait is None else None
        action: Action = "lookup" if wait is None else "lookup-refused"
        await uow.access_log.append(access.record(action, found, [query.kind()], clock.now(), uuid.uuid4()))
        await uow.commit()
    if wait is not None:
        return Refused(wait)
    if found is None:
        raise NotFound("no profile has that identifier")
    return found
