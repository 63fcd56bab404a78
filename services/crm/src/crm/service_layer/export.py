"""Exports of everything CRM holds on a person (GDPR art. 15): by the privacy office for a
profile, or by a customer for their own, with their token. Audited before they leave.

The document is the 360 view with the contact details opened: identifiers (account and subject
ids; matching hashes shortened), the contact details CRM holds sealed (opened where reloop may
use them; a partner's records are named with their owner, which answers for them), consent per
purpose with its history, who may use each record and why, the timeline of purchases, returns
and order steps, merges of the profile, and the segments it entered."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from crm.domain import commands
from crm.domain.audit import Access, opened_fields
from crm.domain.errors import NotFound
from crm.service_layer.audit import audited
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock

OpenedView = Callable[[uuid.UUID], Awaitable[dict[str, Any]]]
"""The read model's 360 view of a profile with its contact details opened."""


async def export_profile(
    profile_id: uuid.UUID, view: OpenedView, uow: CrmUnitOfWork, clock: Clock, access: Access
) -> dict[str, Any]:
    async def document() -> dict[str, Any]:
        return {"exported_at": clock.now(), "profile": await view(profile_id)}

    def fields(found: dict[str, Any]) -> list[str]:
        return opened_fields(found["profile"]["personal_data"])

    return await audited(document, fields, access, "export", profile_id, uow, clock)


async def export_own_data(
    cmd: commands.ExportOwnData, view: OpenedView, uow: CrmUnitOfWork, clock: Clock, access: Access
) -> dict[str, Any]:
    """A customer's own export. Without a profile yet there is nothing to export: 404, saying so."""
    async with uow:
        profile_id = await uow.identity.profile_of(f"account:{cmd.account_id}")
    if profile_id is None:
        raise NotFound("CRM holds no profile for you yet: nothing to export", field="profile_id")
    return await export_profile(profile_id, view, uow, clock, access)
