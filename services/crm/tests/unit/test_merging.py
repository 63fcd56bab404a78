"""An operator merges two profiles of one person, undoes it, and a replay learns both decisions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from crm.adapters.translators import profiles_merged, profiles_unmerged
from crm.domain.commands import MergeProfiles, UndoMerge
from crm.domain.errors import Conflict, NotFound
from crm.domain.matching import tombstone
from crm.domain.merges import MergeRecord
from crm.service_layer import merging
from reloop_contracts import crm
from reloop_shared.clock import FixedClock
from reloop_shared.memory import MemoryStore
from services.crm.tests.fakes import CrmTables, FakeVault, new_store, unit_of_work
from services.crm.tests.given import NOW, PEPPER, profile

CLOCK = FixedClock(NOW)


def two_people() -> tuple[MemoryStore[CrmTables], uuid.UUID, uuid.UUID]:
    store = new_store()
    older = profile(store, "subject:s-older", "email:e1", founded_at=NOW - timedelta(days=30))
    newer = profile(store, "account:a-newer", "subject:s-newer", founded_at=NOW - timedelta(days=1))
    return store, older, newer


async def merged(store: MemoryStore[CrmTables], one: uuid.UUID, other: uuid.UUID) -> MergeRecord:
    command = MergeProfiles(one, other, "same person", "agent-1")
    return await merging.merge_profiles(command, unit_of_work(store), FakeVault(PEPPER), CLOCK)


async def test_an_operator_merge_keeps_the_older_profile_and_publishes_the_merge() -> None:
    store, older, newer = two_people()

    record = await merged(store, newer, older)

    assert (record.profile_id, record.merged_profile_id) == (older, newer)
    assert store.tables.identifiers["account:a-newer"].profile_id == older
    assert newer not in store.tables.profiles
    assert store.tables.merges[record.merge_id] == record
    [published] = store.published(crm.ProfilesMerged)
    assert published.profile_id == str(older)
    assert published.merged_identifiers == ["account:a-newer", "subject:s-newer"]
    assert not published.automatic
    assert published.merged_by == "agent-1"


async def test_a_merge_is_refused_with_itself_with_an_unknown_profile_and_publishes_nothing() -> None:
    store, older, _ = two_people()
    with pytest.raises(Conflict):
        await merged(store, older, older)
    with pytest.raises(NotFound) as missing:
        await merged(store, older, uuid.uuid4())
    assert missing.value.field == "other_profile_id"
    assert store.outbox == []
    assert store.tables.merges == {}


async def test_undoing_a_merge_gives_both_profiles_their_ids_back_and_publishes_the_unmerge() -> None:
    store, older, newer = two_people()
    record = await merged(store, newer, older)

    undone, restored = await merging.undo_merge(
        UndoMerge(record.merge_id, "two people", "agent-7"), unit_of_work(store), FakeVault(PEPPER), CLOCK
    )

    assert sorted(restored) == sorted([older, newer])
    assert store.tables.identifiers["account:a-newer"].profile_id == newer
    assert store.tables.identifiers["email:e1"].profile_id == older
    assert (undone.unmerged_by, undone.unmerge_reason) == ("agent-7", "two people")
    [published] = store.published(crm.ProfilesUnmerged)
    assert sorted(published.restored_profile_ids) == sorted([str(older), str(newer)])


async def test_profiles_that_were_unmerged_are_not_merged_again_and_a_merge_is_undone_once() -> None:
    store, older, newer = two_people()
    record = await merged(store, newer, older)
    undo = UndoMerge(record.merge_id, "two people", "agent-7")
    await merging.undo_merge(undo, unit_of_work(store), FakeVault(PEPPER), CLOCK)

    with pytest.raises(Conflict) as again:
        await merged(store, newer, older)
    with pytest.raises(Conflict):
        await merging.undo_merge(undo, unit_of_work(store), FakeVault(PEPPER), CLOCK)

    assert again.value.field == "other_profile_id"
    assert len(store.published(crm.ProfilesMerged)) == 1
    assert len(store.published(crm.ProfilesUnmerged)) == 1


async def test_a_replay_reading_the_operators_merge_and_unmerge_back_reaches_the_same_profiles() -> None:
    live, older, newer = two_people()
    record = await merged(live, newer, older)
    await merging.undo_merge(
        UndoMerge(record.merge_id, "two people", "agent-7"), unit_of_work(live), FakeVault(PEPPER), CLOCK
    )
    replay, _, _ = two_people()

    [merge] = live.published(crm.ProfilesMerged)
    [unmerge] = live.published(crm.ProfilesUnmerged)
    vault = FakeVault(PEPPER)
    await merging.when_profiles_merged_by_an_operator_link_them(profiles_merged(merge), unit_of_work(replay), vault)
    assert replay.tables.identifiers["account:a-newer"].profile_id == older
    await merging.when_profiles_unmerged_separate_them(profiles_unmerged(unmerge), unit_of_work(replay), vault)

    assert replay.tables.identifiers == live.tables.identifiers
    assert replay.tables.merges[record.merge_id].unmerge_id == unmerge.unmerge_id
    assert replay.outbox == []


async def test_a_merge_read_back_leaves_out_the_side_of_a_person_erased_since() -> None:
    live, older, newer = two_people()
    [merge] = [(await merged(live, newer, older)).merge_id]
    replay, _, _ = two_people()
    replay.tables.erased_identifiers[tombstone(PEPPER, "account:a-newer")] = ("request-1", NOW)

    [published] = live.published(crm.ProfilesMerged)
    await merging.when_profiles_merged_by_an_operator_link_them(
        profiles_merged(published), unit_of_work(replay), FakeVault(PEPPER)
    )

    assert replay.tables.identifiers["account:a-newer"].profile_id == newer
    assert merge not in replay.tables.merges
