"""Erasure (the right to be forgotten), from the request to every holder's confirmation.

1. `request_erasure` names the profile's subjects and accounts in `ErasureRequested`.
2. Every holder, CRM included, forgets the person when it reads the request and confirms with
   `ErasureCompleted`. CRM destroys the subjects' keys first (every sealed copy on every topic
   becomes unreadable), then deletes its rows and remembers the person only as keyed hashes.
3. CRM reads every confirmation; the request is complete once every expected holder confirmed.
"""

from __future__ import annotations

import uuid

from crm.domain import commands, events
from crm.domain.audit import Access
from crm.domain.erasure import SERVICE, ErasureStatus, erasure_request
from crm.domain.errors import NotFound
from crm.domain.identifiers import kind_of, profile_id_for, value_of
from crm.domain.matching import tombstone
from crm.service_layer.ports import KeyVault
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.privacy import PERSONAL_DATA_HOLDERS
from reloop_shared.clock import Clock


async def request_erasure(
    cmd: commands.RequestErasure, uow: CrmUnitOfWork, clock: Clock, access: Access
) -> events.ErasureRequested:
    """The privacy office's request: recorded in the audit in the same transaction."""
    async with uow:
        identifiers = (await uow.identity.identifiers_of([cmd.profile_id])).get(cmd.profile_id, [])
        request = erasure_request(cmd.profile_id, identifiers, PERSONAL_DATA_HOLDERS, clock.now())
        await uow.erasure.record_request(request.request_id, request.holders, request.requested_at)
        await uow.access_log.append(access.record("erasure", cmd.profile_id, [], request.requested_at, uuid.uuid4()))
        uow.record(request)
        await uow.commit()
    return request


async def request_own_erasure(
    cmd: commands.RequestOwnErasure, uow: CrmUnitOfWork, clock: Clock, access: Access
) -> events.ErasureRequested:
    """A customer's own request (art. 17), under their account. Without a profile in CRM yet, the
    request still goes out naming their account: orders and store-sync may hold data on it, and
    erasing means every holder forgets them, which is what the customer asked for."""
    account = f"account:{cmd.account_id}"
    async with uow:
        profile_id = await uow.identity.profile_of(account)
        known = (await uow.identity.identifiers_of([profile_id])).get(profile_id, []) if profile_id else []
        request = erasure_request(profile_id, known or [account], PERSONAL_DATA_HOLDERS, clock.now())
        await uow.erasure.record_request(request.request_id, request.holders, request.requested_at, access.actor)
        await uow.access_log.append(access.record("erasure", profile_id, [], request.requested_at, uuid.uuid4()))
        uow.record(request)
        await uow.commit()
    return request


async def when_erasure_requested_forget_the_person(
    event: events.ErasureRequested, uow: CrmUnitOfWork, vault: KeyVault, clock: Clock
) -> None:
    pepper = await vault.pepper()
    named = [f"account:{c}" for c in event.customer_ids] + [f"subject:{s}" for s in event.subject_ids]
    async with uow:
        # The forgetting lock first, then identities: in the order batches take them.
        await uow.erasure.exclude_everyone()
        await uow.identity.lock()
        identifiers, profiles = await uow.erasure.person(named)
        subjects = sorted({value_of(i) for i in identifiers if kind_of(i) == "subject"})
        # Keys first: if what follows fails it is retried, and a destroyed key stays destroyed.
        destroyed = await vault.destroy(subjects)
        former = await uow.erasure.former_profiles(profiles)
        # The ids the person's profiles had or would get (a replay may meet the request first).
        candidates = former | {profile_id_for(pepper, i) for i in identifiers if kind_of(i) in ("account", "subject")}
        sales = await uow.erasure.purchases_of(identifiers)
        threads = await uow.erasure.threads_of(identifiers)
        erased = await uow.erasure.forget(identifiers, candidates, sales, event.request_id)
        # Accounts and subjects, the only identifiers events name in clear; an e-mail or phone
        # may come back with a new relationship (a new subject), and is matched afresh then.
        strong = [i for i in identifiers if kind_of(i) in ("account", "subject")]
        # Their trade-ins' and vouchers' later steps name no one: remembered, they stay off.
        names = [
            *strong,
            *(f"profile:{p}" for p in candidates),
            *(f"sale:{s}" for s in sales),
            *(f"thread:{t}" for t in threads),
        ]
        await uow.erasure.tombstone([tombstone(pepper, n) for n in names], event.request_id, event.requested_at)
        await uow.erasure.record_request(event.request_id, event.holders, event.requested_at)
        uow.record(
            events.ErasureCompleted(
                request_id=event.request_id,
                service=SERVICE,
                records_erased=erased,
                detail=f"{len(subjects)} data subject key(s) destroyed ({destroyed} now)",
                completed_at=clock.now(),
            )
        )
        await uow.commit()


async def when_erasure_completed_record_it(event: events.ErasureCompleted, uow: CrmUnitOfWork) -> None:
    async with uow:
        await uow.erasure.confirm(
            event.request_id, event.service, event.records_erased, event.detail, event.completed_at
        )
        await uow.commit()


async def progress(request_id: str, uow: CrmUnitOfWork) -> ErasureStatus:
    async with uow:
        status = await uow.erasure.status(request_id)
    if status is None:
        raise NotFound(f"no erasure request {request_id}", field="request_id")
    return status


async def own_progress(request_id: str, requester: str, uow: CrmUnitOfWork) -> ErasureStatus:
    """A customer's view of their own request; another's is as unknown to them as a made-up id."""
    found = await progress(request_id, uow)
    if found.requested_by != requester:
        raise NotFound(f"no erasure request {request_id}", field="request_id")
    return found
