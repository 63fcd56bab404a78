"""Identity resolution is a function of what was seen, not of the order it was seen in."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

from crm.domain.identifiers import profile_id_for
from crm.domain.identity import Known, Resolution, Sighting, partition, resolve

PEPPER = b"p" * 32
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def pid(founding: str) -> uuid.UUID:
    return profile_id_for(PEPPER, founding)


def apply(known: dict[str, Known], resolution: Resolution) -> dict[str, Known]:
    """What the repository does with a resolution, in memory."""
    rekeyed = dict(resolution.rekeys)
    profiles = {k.profile_id: (k.founding, k.founded_at) for k in known.values()}
    profiles.update({p: (f, at) for p, f, at in resolution.profiles})
    seen = {n: k.first_seen for n, k in known.items()}
    seen.update(dict(resolution.seen_earlier))
    members = {n: rekeyed.get(k.profile_id, k.profile_id) for n, k in known.items()}
    for name, profile, first_seen in resolution.new_identifiers:
        members[name], seen[name] = profile, first_seen
    return {n: Known(p, seen[n], *profiles[p]) for n, p in members.items()}


def consume(sightings: list[Sighting], batch: int) -> dict[str, uuid.UUID]:
    known: dict[str, Known] = {}
    for start in range(0, len(sightings), batch):
        resolution = resolve(sightings[start : start + batch], known, pid)
        known = apply(known, resolution)
    return {name: k.profile_id for name, k in known.items()}


SIGHTINGS = [
    Sighting(("subject:s1", "email:e1"), T0, "shop sale"),
    Sighting(("subject:s2", "phone:p2"), T0 + timedelta(days=1), "partner sale"),
    Sighting(("account:a1", "subject:s3", "email:e1"), T0 + timedelta(days=2), "online sale"),
    Sighting(("subject:s2", "email:e1"), T0 + timedelta(days=3), "shop sale with both"),
    Sighting(("subject:s9",), T0 + timedelta(days=4), "someone else"),
]


def test_the_same_sightings_give_the_same_profiles_in_any_order_and_any_batching() -> None:
    expected = consume(SIGHTINGS, batch=1)
    for order in itertools.permutations(SIGHTINGS):
        for batch in (1, 2, 5):
            assert consume(list(order), batch) == expected


def test_a_profile_is_named_after_the_identifier_seen_first_so_a_merge_keeps_the_older_id() -> None:
    profiles = consume(SIGHTINGS, batch=1)
    assert profiles["account:a1"] == profiles["subject:s2"] == pid("subject:s1")
    assert profiles["subject:s9"] == pid("subject:s9")


def test_a_sighting_that_joins_two_profiles_is_reported_as_a_merge_of_the_younger_into_the_older() -> None:
    known = apply({}, resolve(SIGHTINGS[:2], {}, pid))
    resolution = resolve([SIGHTINGS[3]], known, pid)
    [merge] = resolution.merges
    assert (merge.kept_profile_id, merge.merged_profile_id) == (pid("subject:s1"), pid("subject:s2"))
    assert resolution.rekeys == [(pid("subject:s2"), pid("subject:s1"))]


def test_identifiers_under_a_separation_are_left_to_the_careful_path() -> None:
    known = {"subject:s1": Known(pid("subject:s1"), T0, "subject:s1", T0, constrained=True)}
    resolution = resolve([Sighting(("subject:s1", "email:e1"), T0, "x")], known, pid)
    assert resolution.careful == [frozenset({"subject:s1", "email:e1"})]
    assert resolution.new_identifiers == []


def test_a_separation_keeps_two_sides_apart_whatever_links_them() -> None:
    names = ["subject:s1", "email:e1", "subject:s2", "phone:p2", "email:shared"]
    first_seen = {n: T0 + timedelta(days=i) for i, n in enumerate(names)}
    links = [
        ("email:e1", "subject:s1"),
        ("phone:p2", "subject:s2"),
        ("email:shared", "subject:s1"),
        ("email:shared", "subject:s2"),
    ]
    apart = [(frozenset({"subject:s1", "email:e1"}), frozenset({"subject:s2", "phone:p2"}))]
    for order in itertools.permutations(links):
        founding = partition(names, first_seen, order, apart)
        assert founding["subject:s2"] == founding["phone:p2"] == "subject:s2"
        assert founding["email:e1"] == founding["email:shared"] == "subject:s1"
