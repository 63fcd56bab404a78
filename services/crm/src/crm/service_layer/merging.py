"""Merges and un-merges of profiles, with their audit trail.

Automatic merges happen while applying events (identifiers of two profiles seen together). An
operator merges by linking the two profiles' strongest identifiers, and un-merges by separating
the identifiers each side had at merge time: both are published, and applied again from CRM's own
topic by a replay, in terms of identifiers (profile ids are derived, never stored as facts).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from crm.adapters.merge_repository import MergeRecord
from crm.adapters.vault import Vault
from crm.domain import commands
from crm.domain.errors import Conflict, NotFound
from crm.domain.identifiers import NEVER, anchor_of, founding_order, kind_of
from crm.domain.identity import Merge
from crm.domain.observations import Observation
from crm.service_layer.forgotten import forgotten
from crm.service_layer.resettle import resettle
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.crm import ProfilesMerged, ProfilesUnmerged


def _published(record: MergeRecord) -> ProfilesMerged:
    return ProfilesMerged(
        merge_id=record.merge_id,
        profile_id=str(record.profile_id),
        merged_profile_id=str(record.merged_profile_id),
        kept_identifiers=record.kept_identifiers,
        merged_identifiers=record.merged_identifiers,
        automatic=record.automatic,
        reason=record.reason,
        merged_by=record.merged_by,
        merged_at=record.merged_at,
    )


async def record_automatic_merges(
    uow: CrmUnitOfWork, merges: Sequence[Merge], before: Mapping[uuid.UUID, list[str]], batch: Sequence[Observation]
) -> None:
    sources: dict[object, tuple[str, datetime]] = {o.event_id: (o.source, o.occurred_at) for o in batch}
    records = []
    for merge in merges:
        source, at = sources.get(merge.evidence.reference, ("event", merge.evidence.occurred_at or NEVER))
        kinds = ", ".join(sorted({kind_of(i) for i in merge.evidence.identifiers}))
        record = MergeRecord(
            merge.merge_id,
            merge.profile_id,
            merge.merged_profile_id,
            before.get(merge.kept_profile_id, []),
            before.get(merge.merged_profile_id, []),
            True,
            f"{kinds} seen together in {source} {merge.evidence.reference}",
            "matching",
            at,
        )
        records.append(record)
        uow.publish(_published(record))
    await uow.merges.record(records)


async def merge_profiles(cmd: commands.MergeProfiles, uow: CrmUnitOfWork, vault: Vault, now: datetime) -> MergeRecord:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        if cmd.profile_id == cmd.other_profile_id:
            raise Conflict("a profile cannot be merged with itself", field="other_profile_id")
        sides = await uow.identity.identifiers_of([cmd.profile_id, cmd.other_profile_id])
        for pid, field in ((cmd.profile_id, "profile_id"), (cmd.other_profile_id, "other_profile_id")):
            if not sides.get(pid):
                raise NotFound(f"no profile {pid}", field=field)
        a, b = sides[cmd.profile_id], sides[cmd.other_profile_id]
        for x, y in await uow.identity.separations_touching([*a, *b]):
            if (x & set(a) and y & set(b)) or (y & set(a) and x & set(b)):
                raise Conflict("these profiles were un-merged: they are different people", field="other_profile_id")
        founded = {}
        for pid in (cmd.profile_id, cmd.other_profile_id):
            at, founding = await uow.identity.founding_of(pid) or (None, "")
            founded[pid] = founding_order(at, founding) if founding else (NEVER, 9, "")
        # The older profile (founded first) keeps its id, as in an automatic merge.
        kept, merged = sorted(founded, key=lambda p: founded[p])
        event = ProfilesMerged(
            merge_id=str(uuid.uuid4()),
            profile_id=str(kept),
            merged_profile_id=str(merged),
            kept_identifiers=sides[kept],
            merged_identifiers=sides[merged],
            automatic=False,
            reason=cmd.reason,
            merged_by=cmd.requested_by,
            merged_at=now,
        )
        record = await _link(uow, event, pepper)
        uow.publish(_published(record))
        await uow.commit()
    return record


async def when_profiles_merged_by_an_operator_link_them(
    event: ProfilesMerged, uow: CrmUnitOfWork, vault: Vault
) -> None:
    """CRM's own event, read back: a no-op live, the way a replay learns the operator's decision."""
    if event.automatic:
        return  # derived from events a replay applies anyway
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        await _link(uow, event, pepper)
        await uow.commit()


async def _sides(uow: CrmUnitOfWork, pepper: bytes, kept: list[str], merged: list[str]) -> tuple[list[str], list[str]]:
    """Each side is one person's identifiers: a side whose person was erased is left out whole."""
    erased = await forgotten(uow, pepper, [*kept, *merged])
    return ([] if erased & set(kept) else kept), ([] if erased & set(merged) else merged)


async def _link(uow: CrmUnitOfWork, event: ProfilesMerged, pepper: bytes) -> MergeRecord:
    kept, merged = await _sides(uow, pepper, event.kept_identifiers, event.merged_identifiers)
    a, b = anchor_of(kept), anchor_of(merged)
    assignment: dict[str, uuid.UUID] = {}
    if a is not None and b is not None:
        await uow.identity.ensure({a: None, b: None})
        await uow.identity.add_links({(min(a, b), max(a, b)): "operator"})
        assignment = await resettle(uow, [a, b], pepper)
    record = MergeRecord(
        event.merge_id,
        assignment.get(a or "", uuid.UUID(event.profile_id)),
        uuid.UUID(event.merged_profile_id),
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
    cmd: commands.UndoMerge, uow: CrmUnitOfWork, vault: Vault, now: datetime
) -> tuple[MergeRecord, list[uuid.UUID]]:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        merge = await uow.merges.get(cmd.merge_id)
        if merge is None:
            raise NotFound(f"no merge {cmd.merge_id}", field="merge_id")
        if merge.unmerge_id is not None:
            raise Conflict(f"merge {cmd.merge_id} was already undone ({merge.unmerge_id})", field="merge_id")
        current = await uow.identity.profile_of(anchor_of(merge.kept_identifiers) or "")
        event = ProfilesUnmerged(
            unmerge_id=str(uuid.uuid4()),
            merge_id=merge.merge_id,
            profile_id=str(current or merge.profile_id),
            restored_profile_ids=[],
            kept_identifiers=merge.kept_identifiers,
            merged_identifiers=merge.merged_identifiers,
            reason=cmd.reason,
            unmerged_by=cmd.requested_by,
            unmerged_at=now,
        )
        restored = await _separate(uow, event, pepper)
        uow.publish(event.model_copy(update={"restored_profile_ids": [str(p) for p in restored]}))
        await uow.commit()
        updated = await uow.merges.get(cmd.merge_id)
    assert updated is not None
    return updated, restored


async def when_profiles_unmerged_separate_them(event: ProfilesUnmerged, uow: CrmUnitOfWork, vault: Vault) -> None:
    pepper = await vault.pepper()
    async with uow:
        await uow.identity.lock()
        await _separate(uow, event, pepper)
        await uow.commit()


async def _separate(uow: CrmUnitOfWork, event: ProfilesUnmerged, pepper: bytes) -> list[uuid.UUID]:
    kept, merged = await _sides(uow, pepper, event.kept_identifiers, event.merged_identifiers)
    if not kept or not merged:
        return []
    await uow.identity.ensure(dict.fromkeys([*kept, *merged]), constrained=True)
    await uow.identity.add_separation(
        event.unmerge_id, event.merge_id, kept, merged, event.unmerged_by, event.reason, event.unmerged_at
    )
    assignment = await resettle(uow, [*kept, *merged], pepper)
    await uow.merges.mark_unmerged(event.merge_id, event.unmerge_id, event.unmerged_by, event.unmerged_at, event.reason)
    return sorted({assignment[i] for i in [*kept, *merged] if i in assignment})
