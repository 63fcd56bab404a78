"""Identity resolution: which identifiers are one person, and what their profile is called.

Identifiers seen together in one event (or linked by an operator) belong to one profile: profiles
are the connected groups of that graph, so the result does not depend on the order events are
consumed in. A profile's id derives from its founding identifier (seen first), so merging keeps
the older profile's id, and un-merging gives each side its own id back.

Un-merges add separations (two sets of identifiers that must stay apart). Groups that touch a
separation are resolved by `partition`, which takes the links in a fixed order, so the outcome is
again the same in every consumption.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from crm.domain.identifiers import NEVER, anchor_of, founding_order

ProfileIds = Callable[[str], uuid.UUID]
"""Founding identifier -> profile id (keyed, see identifiers.profile_id_for)."""


class Known(NamedTuple):  # one per identifier or event: cheap to build
    """An identifier already in the read model, with its profile's founding."""

    profile_id: uuid.UUID
    first_seen: datetime | None
    founding: str
    founded_at: datetime | None
    constrained: bool = False


class Sighting(NamedTuple):  # one per identifier or event: cheap to build
    """Identifiers seen together in one event, or linked by an operator (no time: not a sighting)."""

    identifiers: tuple[str, ...]
    occurred_at: datetime | None
    reference: Hashable
    by_operator: bool = False


@dataclass(frozen=True, slots=True)
class Merge:
    merge_id: str
    profile_id: uuid.UUID
    kept_profile_id: uuid.UUID
    merged_profile_id: uuid.UUID
    evidence: Sighting

    @property
    def profile_ids(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.kept_profile_id, self.merged_profile_id)


@dataclass
class Resolution:
    new_identifiers: list[tuple[str, uuid.UUID, datetime | None]] = field(default_factory=list)
    seen_earlier: list[tuple[str, datetime]] = field(default_factory=list)
    profiles: list[tuple[uuid.UUID, str, datetime | None]] = field(default_factory=list)
    rekeys: list[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    careful: list[frozenset[str]] = field(default_factory=list)
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    profile_of: dict[str, uuid.UUID] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)

    @property
    def retired(self) -> list[uuid.UUID]:
        return [old for old, _ in self.rekeys]


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent.setdefault(node, node)
        if parent == node:
            return node
        root = self.find(parent)
        self.parent[node] = root
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def links_of(sighting: Sighting) -> list[tuple[str, str]]:
    """A star from the sighting's strongest identifier: enough to keep its identifiers together."""
    anchor = anchor_of(sighting.identifiers)
    return sorted({(min(anchor, o), max(anchor, o)) for o in sighting.identifiers if anchor and o != anchor})


def _nothing_new(sighting: Sighting, known: Mapping[str, Known]) -> bool:
    """Identifiers of one unconstrained profile, none seen earlier than the profile knows: the usual
    returning customer, who changes nothing."""
    profile = None
    for identifier in sighting.identifiers:
        k = known.get(identifier)
        if k is None or k.constrained or (profile is not None and k.profile_id != profile):
            return False
        if sighting.occurred_at is not None and (k.first_seen is None or sighting.occurred_at < k.first_seen):
            return False
        profile = k.profile_id
    return True


def resolve(sightings: Sequence[Sighting], known: Mapping[str, Known], profile_id: ProfileIds) -> Resolution:
    """Fold a batch of sightings into the known profiles (set-wise: one pass for the whole batch)."""
    out = Resolution()
    sightings = [s for s in sightings if not _nothing_new(s, known)]
    groups = _UnionFind()
    first_seen = out.first_seen
    for sighting in sightings:
        for identifier in sighting.identifiers:
            k = known.get(identifier)
            if k is not None:
                groups.union(f"#{k.profile_id}", identifier)
    for sighting in sightings:
        head = sighting.identifiers[0]
        groups.find(head)
        for other in sighting.identifiers[1:]:
            groups.union(head, other)
        kind = "operator" if sighting.by_operator else "evidence"
        for link in links_of(sighting):
            if out.links.get(link) != "operator":
                out.links[link] = kind
        if sighting.occurred_at is not None:
            for identifier in sighting.identifiers:
                seen = first_seen.get(identifier)
                if seen is None or sighting.occurred_at < seen:
                    first_seen[identifier] = sighting.occurred_at
    members: dict[str, list[str]] = defaultdict(list)
    for node in list(groups.parent):
        if not node.startswith("#"):
            members[groups.find(node)].append(node)
    by_root: dict[str, list[Sighting]] = defaultdict(list)
    for sighting in sightings:
        by_root[groups.find(sighting.identifiers[0])].append(sighting)
    for root, identifiers in members.items():
        if any(known[i].constrained for i in identifiers if i in known):
            out.careful.append(frozenset(identifiers))
            continue
        _fold(out, sorted(identifiers), known, first_seen, by_root[root], profile_id)
    return out


def _fold(
    out: Resolution,
    identifiers: list[str],
    known: Mapping[str, Known],
    first_seen: Mapping[str, datetime],
    sightings: list[Sighting],
    profile_id: ProfileIds,
) -> None:
    old: dict[uuid.UUID, tuple[datetime, int, str]] = {}
    candidates: list[tuple[datetime, int, str]] = []
    for identifier in identifiers:
        k = known.get(identifier)
        seen = first_seen.get(identifier)
        if k is not None:
            old[k.profile_id] = founding_order(k.founded_at, k.founding)
            if seen is not None and (k.first_seen is None or seen < k.first_seen):
                out.seen_earlier.append((identifier, seen))
            else:
                seen = k.first_seen
        candidates.append(founding_order(seen, identifier))
    founded, _, founding = min([*candidates, *old.values()])
    pid = profile_id(founding)
    at = None if founded == NEVER else founded
    for identifier in identifiers:
        out.profile_of[identifier] = pid
        if identifier not in known:
            out.new_identifiers.append((identifier, pid, first_seen.get(identifier)))
    if set(old) != {pid} or old[pid][::2] != (founded, founding):
        out.profiles.append((pid, founding, at))
    out.rekeys.extend((o, pid) for o in sorted(old) if o != pid)
    if len(old) >= 2:
        kept = min(old, key=lambda o: old[o])
        for merged in sorted(o for o in old if o != kept):
            evidence = _evidence(sightings, known, kept, merged)
            merge_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"crm-merge:{evidence.reference}:{merged}"))
            out.merges.append(Merge(merge_id, pid, kept, merged, evidence))


def _evidence(sightings: list[Sighting], known: Mapping[str, Known], kept: uuid.UUID, merged: uuid.UUID) -> Sighting:
    """The sighting that tied the two profiles together (the first that names both, if any)."""

    def touches(sighting: Sighting) -> set[uuid.UUID]:
        return {known[i].profile_id for i in sighting.identifiers if i in known}

    both = [s for s in sightings if {kept, merged} <= touches(s)]
    either = [s for s in sightings if merged in touches(s)]
    return (both or either or sightings)[0]


def partition(
    identifiers: Iterable[str],
    first_seen: Mapping[str, datetime | None],
    links: Iterable[tuple[str, str]],
    separations: Iterable[tuple[frozenset[str], frozenset[str]]],
) -> dict[str, str]:
    """Identifier -> founding identifier of its profile, honouring separations.

    Links are taken in sorted order and one that would put both sides of a separation in one
    profile is skipped: the same inputs always give the same profiles."""
    nodes = set(identifiers)
    parent = {n: n for n in nodes}
    group: dict[str, set[str]] = {n: {n} for n in nodes}
    apart = list(separations)

    def find(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in sorted(set(links)):
        if a not in nodes or b not in nodes:
            continue
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        left, right = group[ra], group[rb]
        if any((left & x and right & y) or (left & y and right & x) for x, y in apart):
            continue
        if len(left) < len(right):
            ra, rb, left, right = rb, ra, right, left
        parent[rb] = ra
        left |= right
        del group[rb]
    founding: dict[str, str] = {}
    for members in group.values():
        *_, first = min(founding_order(first_seen.get(m), m) for m in members)
        for member in members:
            founding[member] = first
    return founding
