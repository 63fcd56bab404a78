"""`GET /tickets/overdue`: open tickets past their step's service level, which step and by how
much (staff with `repair:read`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from repair.domain.events import Status
from repair.entrypoints.http.edge import Edge, newest_after
from repair.entrypoints.http.scopes import READ
from repair.service_layer.overdue import OverdueTicket, overdue_tickets
from repair.service_layer.ports import OpenTicketQuery


class OverdueTicketOut(BaseModel):
    ticket_id: str
    market: str
    centre_id: str
    shop_id: str | None
    status: Status
    opened_at: datetime
    step: str = Field(description='The step it is late on, e.g. "diagnosed->repaired".')
    step_started_at: datetime
    target_seconds: int = Field(description="The market's target for the step.")
    elapsed_seconds: int = Field(description="The step's time so far, the customer's waits (quote, pickup) left out.")
    overdue_seconds: int = Field(description="How far past the target.")
    waiting_on_customer: bool = Field(description="The clock is stopped now: the ticket waits on its customer.")

    @classmethod
    def of(cls, overdue: OverdueTicket) -> OverdueTicketOut:
        t, late = overdue.ticket, overdue.late
        return cls(
            ticket_id=t.ticket_id,
            market=t.market,
            centre_id=t.centre_id,
            shop_id=t.shop_id,
            status=t.status,
            opened_at=t.opened_at,
            step=late.step,
            step_started_at=late.started_at,
            target_seconds=int(late.target.total_seconds()),
            elapsed_seconds=int(late.elapsed.total_seconds()),
            overdue_seconds=int(late.overdue_by.total_seconds()),
            waiting_on_customer=late.waiting_on_customer,
        )


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["tickets"])

    @routes.get(
        "/tickets/overdue",
        summary="Open tickets past their step's service level, oldest first",
        dependencies=[requires(READ)],
    )
    async def overdue(
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
        market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
        centre_id: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    ) -> Page[OverdueTicketOut]:
        # The same (opened_at, ticket_id) key as the newest-first lists, read the other way.
        after = newest_after(page)
        found = await overdue_tickets(
            on.unit_of_work(), OpenTicketQuery(market, centre_id), on.sla, on.clock.now(), after, page.limit + 1
        )
        items, cursor = page_of(found, page, lambda o: (o.ticket.opened_at, o.ticket.ticket_id))
        return Page(items=[OverdueTicketOut.of(o) for o in items], next_cursor=cursor)

    return routes
