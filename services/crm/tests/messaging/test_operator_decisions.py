"""CRM reads back what it published about profiles: live, the change was applied with the request;
read again (a replay, a redelivery), it is how the read model learns the operators' decisions.
Each test runs on the twin and, marked `connected`, on the real Kafka and PostgreSQL."""

from __future__ import annotations

import uuid

from reloop_contracts import crm as contract
from services.crm.tests.messaging.crm_under_test import (
    CrmUnderTest,
    merged_by_an_operator,
    new_id,
    now,
)


async def profiles_of(crm: CrmUnderTest, *identifiers: str) -> list[uuid.UUID | None]:
    async with crm.unit_of_work() as uow:
        return [await uow.identity.profile_of(i) for i in identifiers]


def consent_changed(profile_id: str, identifier: str, *, granted: bool) -> contract.ConsentChanged:
    return contract.ConsentChanged(
        change_id=new_id("change"),
        profile_id=profile_id,
        identifier=identifier,
        purpose="marketing",
        granted=granted,
        captured_at=now(),
        captured_by="online",
    )


async def test_an_operators_merge_read_back_makes_one_profile_of_both_sides_and_publishes_nothing(
    crm: CrmUnderTest,
) -> None:
    account, subject = new_id("account:acc"), new_id("subject:sub")
    merge = merged_by_an_operator([account], [subject])

    await crm.deliver(merge, producer="crm")

    [kept, merged] = await profiles_of(crm, account, subject)
    assert kept is not None
    assert kept == merged
    async with crm.unit_of_work() as uow:
        record = await uow.merges.get(merge.merge_id)
    assert record is not None
    assert (record.profile_id, record.kept_identifiers, record.merged_identifiers) == (kept, [account], [subject])
    assert (record.automatic, record.merged_by) == (False, "agent-1")
    assert [m for m in await crm.published(contract.ProfilesMerged) if m.merge_id == merge.merge_id] == []


async def test_an_automatic_merge_read_back_changes_nothing(crm: CrmUnderTest) -> None:
    """The events that made it are on the topics too: a replay reaches it from them."""
    account, subject = new_id("account:acc"), new_id("subject:sub")
    merge = merged_by_an_operator([account], [subject], automatic=True)

    await crm.deliver(merge, producer="crm")

    assert await profiles_of(crm, account, subject) == [None, None]
    async with crm.unit_of_work() as uow:
        assert await uow.merges.get(merge.merge_id) is None


async def test_an_unmerge_read_back_after_its_merge_gives_each_side_its_own_profile(crm: CrmUnderTest) -> None:
    account, subject = new_id("account:acc"), new_id("subject:sub")
    merge = merged_by_an_operator([account], [subject])
    unmerge = contract.ProfilesUnmerged(
        unmerge_id=new_id("unmerge"),
        merge_id=merge.merge_id,
        profile_id=merge.profile_id,  # the same key: one partition, in order
        restored_profile_ids=[],
        kept_identifiers=[account],
        merged_identifiers=[subject],
        reason="two people",
        unmerged_by="agent-7",
        unmerged_at=now(),
    )

    await crm.deliver(merge, unmerge, producer="crm")

    [kept, restored] = await profiles_of(crm, account, subject)
    assert None not in (kept, restored)
    assert kept != restored
    async with crm.unit_of_work() as uow:
        record = await uow.merges.get(merge.merge_id)
    assert record is not None
    assert (record.unmerge_id, record.unmerged_by, record.unmerge_reason) == (
        unmerge.unmerge_id,
        "agent-7",
        "two people",
    )
    assert await crm.published(contract.ProfilesUnmerged) == []


async def test_a_consent_change_read_back_joins_the_profiles_consent_history(crm: CrmUnderTest) -> None:
    account, subject = new_id("account:acc"), new_id("subject:sub")
    await crm.deliver(merged_by_an_operator([account], [subject]), producer="crm")
    [profile_id, _] = await profiles_of(crm, account, subject)
    assert profile_id is not None
    granted = consent_changed(str(profile_id), account, granted=True)
    withdrawn = consent_changed(str(profile_id), account, granted=False)

    await crm.deliver(granted, withdrawn, producer="crm")

    async with crm.unit_of_work() as uow:
        history = (await uow.customers.consent_records([profile_id]))[profile_id]
    said = {r.record_key: (r.marketing, r.captured_by) for r in history}
    assert said == {f"change:{granted.change_id}": (True, "online"), f"change:{withdrawn.change_id}": (False, "online")}
    assert await crm.published(contract.ConsentChanged) == []


async def test_a_segment_entry_read_back_is_remembered_so_its_occasion_enters_once(crm: CrmUnderTest) -> None:
    entered = contract.CustomerSegmentEntered(
        entry_id=new_id("entry"),
        segment="warranty_ending",
        profile_id=str(uuid.uuid4()),
        occasion=new_id("sale") + ":d0",
        marketing_consent_at=now(),
        entered_at=now(),
    )

    await crm.deliver(entered, entered, producer="crm")  # twice, as two events: one entry

    async with crm.unit_of_work() as uow:
        assert await uow.segment_entries.entered([entered.entry_id, new_id("entry")]) == {entered.entry_id}
    assert await crm.published(contract.CustomerSegmentEntered) == []


async def test_a_consent_change_naming_no_valid_profile_is_dead_lettered_with_its_reason_and_the_next_applied(
    crm: CrmUnderTest,
) -> None:
    account, subject = new_id("account:acc"), new_id("subject:sub")
    await crm.deliver(merged_by_an_operator([account], [subject]), producer="crm")
    [profile_id, _] = await profiles_of(crm, account, subject)
    assert profile_id is not None
    broken = consent_changed(new_id("not-a-uuid"), account, granted=True)
    good = consent_changed(str(profile_id), account, granted=True)

    await crm.deliver(broken, good, producer="crm")

    letters = [d for d in await crm.dead_letters() if d.key == broken.profile_id.encode()]
    [letter] = letters
    assert letter.original_topic.endswith(contract.PROFILES.name)
    assert letter.reason.startswith("ValueError: badly formed hexadecimal UUID string")
    async with crm.unit_of_work() as uow:
        history = (await uow.customers.consent_records([profile_id]))[profile_id]
    assert [r.record_key for r in history] == [f"change:{good.change_id}"]
