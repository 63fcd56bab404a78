"""Merges and un-merges of profiles, with their audit trail.

Automatic merges happen while applying events (identifiers of two profiles seen together). An
operator merges by linking the two profiles' strongest identifiers, and un-merges by separating
the identifiers each side had at merge time: both are published, and applied again from CRM's own
topic by a replay, in terms of identifiers (profile ids are derived, never stored as facts).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from crm.domain import commands, events
from crm.domain.errors import NotFound
from crm.domain.identifiers import NEVER, anchor_of
from crm.domain.identity import Merge
from crm.domain.merges import MergeRecord, automatic_merge_record, kept_and_merged, may_undo
from crm.domain.observations import Observation
from crm.service_layer.erased_people import erased_among
from crm.service_layer.ports import KeyVault
from crm.service_layer.regrouping import regroup
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock


async def record_automatic_merges(
    uow: CrmUnitOfWork, merges: Sequence[Merge], before: Mapping[uuid.UUID, list[str]], batch: Sequence[Observation]
) -> None:
    sources: dict[object, tuple[str, datetime]] = {o.event_id: (o.source, o.occurred_at) for o in batch}
    records = []
    for merge in merges:
        source, at = sources.get(merge.evidence.reference, ("event", merge.evidence.occurred_at or NEVER))
        records.append(automatic_merge_record(merge, before, source, at))
    await uow.merges.record(records)
    uow.record(*(r.announced() for r in records))


async def merge_profiles(cmd: commands.MergeProfiles, uow: CrmUnitOfWork, vault: KeyVault, clock: Clock) -> MergeRecord:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        pids = (cmd.profile_id, cmd.other_profile_id)
        sides = await uow.identity.identifiers_of(pids)
        separations = await uow.identity.separations_touching([i for pid in pids for i in sides.get(pid, [])])
        foundings = {cmd.profile_id: await uow.identity.founding_of(cmd.profile_id)}
        foundings[cmd.other_profile_id] = await uow.identity.founding_of(cmd.other_profile_id)
        kept, merged = kept_and_merged(cmd.profile_id, cmd.other_profile_id, sides, separations, foundings)
        event = events.ProfilesMerged(
            merge_id=str(uuid.uuid4()),
            profile_id=kept,
            merged_profile_id=merged,
            kept_identifiers=tuple(sides[kept]),
            merged_identifiers=tuple(sides[merged]),
            automatic=False,
            reason=cmd.reason,
            merged_by=cmd.requested_by,
            merged_at=clock.now(),
        )
        record = await _link(uow, event, pepper)
        uow.record(record.announced())
        await uow.commit()
    return record


async def when_profiles_merged_by_an_operator_link_them(
    event: events.ProfilesMerged, uow: CrmUnitOfWork, vault: KeyVault
) -> None:
    """CRM's own event, read back: a no-op live, the way a replay learns the operator's decision."""
    if event.automatic:
        return  # derived from events a replay applies anyway
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        await _link(uow, event, pepper)
        await uow.commit()


async def _sides(
    uow: CrmUnitOfWork, pepper: bytes, kept: Sequence[str], merged: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Each side is one person's identifiers: a side whose person was erased is left out whole."""
    erased = await erased_among(uow, pepper, [*kept, *merged])
    return ([] if erased & set(kept) else list(kept)), ([] if erased & set(merged) else list(merged))


async def _link(uow: CrmUnitOfWork, event: events.ProfilesMerged, pepper: bytes) -> MergeRecord:
    kept, merged = await _sides(uow, pepper, event.kept_identifiers, event.merged_identifiers)
    a, b = anchor_of(kept), anchor_of(merged)
    assignment: dict[str, uuid.UUID] = {}
    if a is not None and b is not None:
        await uow.identity.ensure({a: None, b: None})
        await uow.identity.add_links({(min(a, b), max(a, b)): "operator"})
        assignment = await regroup(uow, [a, b], pepper)
    record = MergeRecord(
        event.merge_id,
        assignment.get(a or "", event.profile_id),
        event.merged_profile_id,
        kept,
        merged,
        False,
        event.reason,
        event.merged_by,
        event.merged_at,
    )
    if a is not None and b is not None:
        await uow.merges.record([record])
        await uow.merges.mark_undone_earlier(record.merge_id)
    return record


async def undo_merge(
    cmd: commands.UndoMerge, uow: CrmUnitOfWork, vault: KeyVault, clock: Clock
) -> tuple[MergeRecord, list[uuid.UUID]]:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        merge = may_undo(await uow.merges.get(cmd.merge_id), cmd.merge_id)
        current = await uow.identity.profile_of(anchor_of(merge.kept_identifiers) or "")
        event = events.ProfilesUnmerged(
            unmerge_id=str(uuid.uuid4()),
            merge_id=merge.merge_id,
            profile_id=current or merge.profile_id,
            restored_profile_ids=(),
            kept_identifiers=tuple(merge.kept_identifiers),
            merged_identifiers=tuple(merge.merged_identifiers),
            reason=cmd.reason,
            unmerged_by=cmd.requested_by,
            unmerged_at=clock.now(),
        )
        restored = await _separate(uow, event, pepper)
        uow.record(replace(event, restored_profile_ids=tuple(restored)))
        await uow.commit()
        updated = await uow.merges.get(cmd.merge_id)
    assert updated is not None
    return updated, restored


async def when_profiles_unmerged_separate_them(
    event: events.ProfilesUnmerged, uow: CrmUnitOfWork, vault: KeyVault
) -> None:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        await _separate(uow, event, pepper)
        await uow.commit()


async def _separate(uow: CrmUnitOfWork, event: events.ProfilesUnmerged, pepper: bytes) -> list[uuid.UUID]:
    kept, merged = await _sides(uow, pepper, event.kept_identifiers, event.merged_identifiers)
    if not kept or not merged:
        return []
    await uow.identity.ensure(dict.fromkeys([*kept, *merged]), constrained=True)
    await uow.identity.add_separation(
        event.unmerge_id, event.merge_id, kept, merged, event.unmerged_by, event.reason, event.unmerged_at
    )
    assignment = await regroup(uow, [*kept, *merged], pepper)
    await uow.merges.mark_unmerged(event.merge_id, event.unmerge_id, event.unmerged_by, event.unmerged_at, event.reason)
    return sorted({assignment[i] for i in [*kept, *merged] if i in assignment})


async def merge_audit(merge_id: str, uow: CrmUnitOfWork) -> MergeRecord:
    async with uow:
        record = await uow.merges.get(merge_id)
    if record is None:
        raise NotFound(f"no merge {merge_id}", field="merge_id")
    return record
