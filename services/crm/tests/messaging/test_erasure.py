"""Erasure requests arriving on `privacy.erasure.v1`: CRM forgets the person, confirms once, follows
every holder's confirmation, and an erased person stays erased whatever is read again. Each test
runs on the twin and, marked `connected`, on the real Kafka and PostgreSQL."""

from __future__ import annotations

from crm.domain.erasure import ErasureStatus
from reloop_contracts import crm as contract
from reloop_contracts.privacy import PERSONAL_DATA_HOLDERS, ErasureCompleted, ErasureRequested
from reloop_localstack.testing import eventually
from services.crm.tests.messaging.crm_under_test import (
    CrmUnderTest,
    merged_by_an_operator,
    new_id,
    now,
)


def requested(account: str, subject: str) -> ErasureRequested:
    return ErasureRequested(
        request_id=new_id("erasure"),
        subject_ids=[subject],
        customer_ids=[account],
        holders=list(PERSONAL_DATA_HOLDERS),
        requested_at=now(),
    )


def completed(request: ErasureRequested, holder: str) -> ErasureCompleted:
    return ErasureCompleted(request_id=request.request_id, service=holder, records_erased=2, completed_at=now())


async def status(crm: CrmUnderTest, request_id: str) -> ErasureStatus | None:
    async with crm.unit_of_work() as uow:
        return await uow.erasure.status(request_id)


async def confirmations_by_crm(crm: CrmUnderTest, request: ErasureRequested) -> list[ErasureCompleted]:
    return [c for c in await crm.published(ErasureCompleted) if c.request_id == request.request_id]


async def test_an_erasure_request_forgets_the_person_and_completes_once_every_holder_confirmed(
    crm: CrmUnderTest,
) -> None:
    account, subject = new_id("acc"), new_id("sub")
    merge = merged_by_an_operator([f"account:{account}"], [f"subject:{subject}"])
    await crm.deliver(merge, producer="crm")
    request = requested(account, subject)

    await crm.deliver(request, producer="crm")

    [confirmation] = await confirmations_by_crm(crm, request)
    assert confirmation.service == "crm"
    assert confirmation.records_erased > 0
    async with crm.unit_of_work() as uow:
        assert await uow.identity.known([f"account:{account}", f"subject:{subject}"]) == {}
        assert await uow.merges.get(merge.merge_id) is None

    async def crm_read_its_own_confirmation() -> bool:
        found = await status(crm, request.request_id)
        return found is not None and found.pending == ["orders", "store-sync"]

    # CRM confirms through its outbox and reads the confirmation back like any holder's.
    await eventually(crm_read_its_own_confirmation, message="CRM recorded its own confirmation")
    await crm.deliver(completed(request, "orders"), completed(request, "store-sync"), producer="holders")

    done = await status(crm, request.request_id)
    assert done is not None
    assert done.complete
    assert sorted(done.confirmations) == sorted(PERSONAL_DATA_HOLDERS)


async def test_an_erasure_request_redelivered_is_applied_and_confirmed_once(crm: CrmUnderTest) -> None:
    account, subject = new_id("acc"), new_id("sub")
    await crm.deliver(merged_by_an_operator([f"account:{account}"], [f"subject:{subject}"]), producer="crm")
    request = requested(account, subject)

    await crm.deliver(request, producer="crm", copies=2)

    assert len(await confirmations_by_crm(crm, request)) == 1


async def test_an_erased_person_stays_erased_when_decisions_about_them_are_read_again(crm: CrmUnderTest) -> None:
    account, subject = new_id("acc"), new_id("sub")
    identifiers = [f"account:{account}", f"subject:{subject}"]
    merge = merged_by_an_operator(identifiers[:1], identifiers[1:])
    await crm.deliver(merge, producer="crm")
    async with crm.unit_of_work() as uow:
        profile_id = await uow.identity.profile_of(identifiers[0])
    assert profile_id is not None
    await crm.deliver(requested(account, subject), producer="crm")
    entered = contract.CustomerSegmentEntered(
        entry_id=new_id("entry"),
        segment="first_shop_purchase_without_account",
        profile_id=str(profile_id),
        occasion=new_id("sale"),
        marketing_consent_at=now(),
        entered_at=now(),
    )

    # As a replay, or a redelivery, would read them: the merge again, and a segment entry of theirs.
    await crm.deliver(merge, entered, producer="crm")

    async with crm.unit_of_work() as uow:
        assert await uow.identity.known(identifiers) == {}
        assert await uow.merges.get(merge.merge_id) is None
        assert await uow.segment_entries.entered([entered.entry_id]) == set()
