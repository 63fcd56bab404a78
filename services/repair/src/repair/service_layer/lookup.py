"""Loading a ticket a handler is about to change, or refusing with 404."""

from __future__ import annotations

from repair.domain.errors import NotFound
from repair.domain.tickets import Ticket
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def ticket_of(uow: RepairUnitOfWork, ticket_id: str, *, customer_id: str | None = None) -> Ticket:
    """The ticket, held for this transaction. With `customer_id`, only that customer's: another's
    answers as if it did not exist (404), so ticket ids cannot be probed."""
    ticket = await uow.tickets.get(ticket_id, for_update=True)
    if ticket is None or (customer_id is not None and ticket.customer_id != customer_id):
        raise NotFound(f"no ticket {ticket_id}", field="ticket_id")
    return ticket
