"""The tickets late on their step's service level, for the workshop's list and `reloop repair overdue`.

Lateness is decided by the domain (`sla.running_late`) from each ticket's history, not by SQL, so
the pauses are counted one way everywhere. The query narrows to open tickets opened at least the
shortest target ago (none younger can be late) and is read in batches, oldest first, until a page
is full.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from repair.domain.sla import SlaPolicy, StepClock, running_late
from repair.domain.tickets import Ticket
from repair.service_layer.ports import OpenTicketQuery
from repair.service_layer.unit_of_work import RepairUnitOfWork


@dataclass(frozen=True)
class OverdueTicket:
    ticket: Ticket
    late: StepClock


async def overdue_tickets(
    uow: RepairUnitOfWork,
    query: OpenTicketQuery,
    sla: SlaPolicy,
    now: datetime,
    after: tuple[datetime, str] | None,
    limit: int,
    *,
    batch: int = 200,
) -> list[OverdueTicket]:
    """Up to `limit` late tickets, oldest first by (opened_at, ticket_id), after that key."""
    shortest = sla.shortest
    found: list[OverdueTicket] = []
    if shortest is None:
        return found
    async with uow:
        while len(found) < limit:
            candidates = await uow.tickets.open_tickets(query, now - shortest, after, batch)
            for ticket in candidates:
                late = running_late(ticket.history, sla.targets_of(ticket.market), now)
                if late is not None:
                    found.append(OverdueTicket(ticket, late))
                    if len(found) == limit:
                        # The next page continues after this ticket: the rest of the batch is read again then.
                        break
            if len(candidates) < batch:
                break
            after = (candidates[-1].opened_at, candidates[-1].ticket_id)
    return found
