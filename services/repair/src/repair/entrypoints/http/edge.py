"""What every route module of the repair edge is given, built once in bootstrap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import Path

from reloop_shared.clock import Clock
from reloop_shared.http.pagination import PageRequest
from repair.domain.plans import Plans
from repair.domain.sla import SlaPolicy
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer.renewals import OnDemand
from repair.service_layer.unit_of_work import RepairUnitOfWork


@dataclass(frozen=True)
class Edge:
    unit_of_work: Callable[[], RepairUnitOfWork]
    clock: Clock
    policy: WorkshopPolicy
    plans: Plans
    on_demand: OnDemand = field(default_factory=OnDemand)
    sla: SlaPolicy = field(default_factory=SlaPolicy)


TicketId = Annotated[str, Path(min_length=1, max_length=64)]
CentreId = Annotated[str, Path(min_length=1, max_length=64)]


def newest_after(page: PageRequest) -> tuple[datetime, str] | None:
    """The (opened_at, ticket_id) a page of tickets continues after (checked by `keyed_by(datetime, str)`)."""
    if page.after is None:
        return None
    at, ticket_id = page.after
    assert isinstance(at, datetime)
    assert isinstance(ticket_id, str)
    return at, ticket_id
