"""The public tracking lookup: a code answers its ticket's status, and nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from repair.domain.errors import NotFound
from repair.domain.events import Status
from repair.domain.tracking_codes import tracking_code_hash
from repair.service_layer.unit_of_work import RepairUnitOfWork


@dataclass(frozen=True)
class TrackedStatus:
    status: Status
    since: datetime


async def track(uow: RepairUnitOfWork, code: str) -> TrackedStatus:
    async with uow:
        ticket = await uow.tickets.by_tracking_hash(tracking_code_hash(code))
    if ticket is None:
        raise NotFound("no ticket has this tracking code", field="code")
    return TrackedStatus(ticket.status, ticket.history[-1].at)
