"""Merging profiles and undoing merges: who keeps their id, what is refused, and the audit trail.

An operator merges two profiles of one person; an event tying two profiles together merges them
automatically. Either way the older profile (founded first) keeps its id. Profiles an un-merge
declared two people are never merged again by an operator.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from crm.domain.errors import Conflict, NotFound
from crm.domain.events import ProfilesMerged
from crm.domain.identifiers import NEVER, founding_order, kind_of
from crm.domain.identity import Merge

Separation = tuple[frozenset[str], frozenset[str]]


@dataclass(frozen=True)
class MergeRecord:
    """The audit row of a merge, and of its un-merge once undone."""

    merge_id: str
    profile_id: uuid.UUID
    merged_profile_id: uuid.UUID
    kept_identifiers: list[str]
    merged_identifiers: list[str]
    automatic: bool
    reason: str
    merged_by: str
    merged_at: datetime
    unmerge_id: str | None = None
    unmerged_by: str | None = None
    unmerged_at: datetime | None = None
    unmerge_reason: str | None = None

    def announced(self) -> ProfilesMerged:
        return ProfilesMerged(
            merge_id=self.merge_id,
            profile_id=self.profile_id,
            merged_profile_id=self.merged_profile_id,
            kept_identifiers=tuple(self.kept_identifiers),
            merged_identifiers=tuple(self.merged_identifiers),
            automatic=self.automatic,
            reason=self.reason,
            merged_by=self.merged_by,
            merged_at=self.merged_at,
        )


def kept_and_merged(
    profile_id: uuid.UUID,
    other_profile_id: uuid.UUID,
    sides: Mapping[uuid.UUID, list[str]],
    separations: Sequence[Separation],
    foundings: Mapping[uuid.UUID, tuple[datetime | None, str] | None],
) -> tuple[uuid.UUID, uuid.UUID]:
    """An operator's merge of two profiles: (the one keeping its id, the one folded into it)."""
    if profile_id == other_profile_id:
        raise Conflict("a profile cannot be merged with itself", field="other_profile_id")
    for pid, field in ((profile_id, "profile_id"), (other_profile_id, "other_profile_id")):
        if not sides.get(pid):
            raise NotFound(f"no profile {pid}", field=field)
    a, b = set(sides[profile_id]), set(sides[other_profile_id])
    for x, y in separations:
        if (x & a and y & b) or (y & a and x & b):
            raise Conflict("these profiles were un-merged: they are different people", field="other_profile_id")

    def founded(pid: uuid.UUID) -> tuple[datetime, int, str]:
        at, founding = foundings.get(pid) or (None, "")
        return founding_order(at, founding) if founding else (NEVER, 9, "")

    kept, merged = sorted((profile_id, other_profile_id), key=founded)
    return kept, merged


def may_undo(merge: MergeRecord | None, merge_id: str) -> MergeRecord:
    """The merge to undo, refused when there is none or it was undone already."""
    if merge is None:
        raise NotFound(f"no merge {merge_id}", field="merge_id")
    if merge.unmerge_id is not None:
        raise Conflict(f"merge {merge_id} was already undone ({merge.unmerge_id})", field="merge_id")
    return merge


def automatic_merge_record(
    merge: Merge, before: Mapping[uuid.UUID, list[str]], source: str, at: datetime
) -> MergeRecord:
    """The audit row of a merge found by matching: which identifiers tied the two, seen where."""
    kinds = ", ".join(sorted({kind_of(i) for i in merge.evidence.identifiers}))
    return MergeRecord(
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
