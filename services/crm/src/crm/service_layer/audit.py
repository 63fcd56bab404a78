"""Personal data handed out only once its audit record is saved, and the audit read back.

A read is recorded in its own transaction before the answer leaves: if the record cannot be
written, the request fails and nothing is handed out. Reading the audit opens no personal data
(it holds none), so it is not itself audited."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from crm.domain.audit import Access, AccessRecord, Action
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock

T = TypeVar("T")


async def audited(
    read: Callable[[], Awaitable[T]],
    fields: Callable[[T], list[str]],
    access: Access,
    action: Action,
    profile_id: uuid.UUID,
    uow: CrmUnitOfWork,
    clock: Clock,
) -> T:
    """What `read` found, once the record of the `fields` it opened is saved."""
    found = await read()
    async with uow:
        await uow.access_log.append(access.record(action, profile_id, fields(found), clock.now(), uuid.uuid4()))
        await uow.commit()
    return found


async def newest_records(
    profile_id: uuid.UUID | None,
    actor: str | None,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
    uow: CrmUnitOfWork,
) -> list[AccessRecord]:
    async with uow:
        return await uow.access_log.newest(profile_id=profile_id, actor=actor, limit=limit, before=before)
