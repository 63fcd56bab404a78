"""Erased people stay erased: identifiers, profiles and sales are remembered as keyed hashes only,
so an event still on a topic (read again by a replay, say) cannot bring them back."""

from __future__ import annotations

from collections.abc import Iterable

from crm.domain.matching import tombstone
from crm.service_layer.unit_of_work import CrmUnitOfWork


async def erased_among(uow: CrmUnitOfWork, pepper: bytes, names: Iterable[str]) -> set[str]:
    """Which of `names` (identifiers, `profile:<id>`, `sale:<id>`) belong to an erased person."""
    hashes = {name: tombstone(pepper, name) for name in set(names)}
    erased = await uow.erasure.erased(hashes.values())
    return {name for name, digest in hashes.items() if digest in erased}
