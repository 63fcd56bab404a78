"""The careful path of identity resolution: regroup linked identifiers into profiles, honouring the
separations un-merges left, in a fixed order (so every consumption gets the same profiles)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from crm.domain.identifiers import profile_id_for
from crm.domain.identity import partition
from crm.service_layer.unit_of_work import CrmUnitOfWork


async def regroup(uow: CrmUnitOfWork, seeds: Iterable[str], pepper: bytes) -> dict[str, uuid.UUID]:
    """Identifier -> profile id for everything linked to `seeds`, written to the read model."""
    first_seen, current = await uow.identity.component(sorted(set(seeds)))
    names = sorted(n for n in first_seen if n in current)
    links = await uow.identity.links_among(names)
    separations = await uow.identity.separations_touching(names)
    founding = partition(names, first_seen, links, separations)
    assignment = {n: profile_id_for(pepper, founding[n]) for n in names}
    profiles = {assignment[n]: (f, first_seen[f]) for n, f in founding.items()}
    retired = set(current.values()) - set(assignment.values())
    await uow.identity.reassign(assignment, retired)
    await uow.identity.save_profiles([(pid, f, at) for pid, (f, at) in sorted(profiles.items())])
    return assignment
