"""The quote lapse sweep: a quote left unanswered past its `answer_by` gets the market's default
answer (declined: back unrepaired, its parts released), published as `RepairQuoteAnswered` with
`by_default`.

Durable and idempotent: the sweep is a query over the tickets themselves, not a timer, so a
restarted service loses nothing; a batch's tickets are claimed `FOR UPDATE SKIP LOCKED` and
answered, their parts moved and their events recorded in that one transaction, so sweeps running
at once share the work, and a ticket once answered is quoted no more and never swept twice.
"""

from __future__ import annotations

from collections.abc import Callable

from reloop_shared.clock import Clock
from repair.domain.workshop_policy import UnansweredQuotes
from repair.service_layer.parts import follow_the_answer, lock_in_order
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def lapse_unanswered_quotes(
    unit_of_work: Callable[[], RepairUnitOfWork], clock: Clock, unanswered: UnansweredQuotes, *, batch: int = 100
) -> int:
    """Answer by default every quote past its deadline, a batch per transaction; how many were."""
    at, lapsed = clock.now(), 0
    while True:
        async with unit_of_work() as uow:
            due = await uow.tickets.claim_unanswered_quotes(at, batch)
            if not due:
                return lapsed
            await lock_in_order(uow, due)
            for ticket in due:
                ticket.lapse_quote(unanswered.accepted(ticket.market), at=at)
                await follow_the_answer(uow, ticket, at)
                await uow.tickets.save(ticket)
            await uow.commit()
        lapsed += len(due)
