"""Tickets: a customer's parcel and their answer to a quote with their own token (another's ticket
answers 404), and the workshop's steps and reads behind staff scopes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from reloop_shared.auth.principal import STOREFRONT, Principal
from reloop_shared.http.authentication import customer, customer_or_staff, requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from repair.domain import commands
from repair.domain.events import Status
from repair.entrypoints.http import overdue
from repair.entrypoints.http.edge import Edge, TicketId, newest_after
from repair.entrypoints.http.schemas import (
    DiagnosisIn,
    OpenedTicketOut,
    QuoteAnswerIn,
    StaffTicketIn,
    StepIn,
    TicketIn,
    TicketOut,
)
from repair.entrypoints.http.scopes import READ, WORKSHOP
from repair.service_layer import diagnosis, intake, views, workshop
from repair.service_layer.ports import TicketQuery

Filter = Annotated[str | None, Query(min_length=1, max_length=64)]
STEPS: dict[str, commands.Step] = {
    "start-repair": "start_repair",
    "repaired": "repaired",
    "quality-passed": "quality_passed",
    "quality-failed": "quality_failed",
    "send-back": "send_back",
    "hand-back": "hand_back",
}


def _mail(body: TicketIn, customer_id: str | None, by: str) -> commands.OpenTicketByMail:
    return commands.OpenTicketByMail(
        body.market,
        customer_id,
        body.device.device(),
        body.unit_id,
        body.symptoms,
        tuple(body.photos),
        body.shipment_reference,
        by,
    )


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["tickets"])
    owner_or_staff: Any = customer_or_staff(READ)
    # Before `/tickets/{ticket_id}`, which would take "overdue" for a ticket id.
    routes.include_router(overdue.router(on))

    @routes.post("/tickets", status_code=201, summary="Send a device for repair by parcel (the customer signed in)")
    async def open_by_mail(body: TicketIn, who: Principal = customer()) -> OpenedTicketOut:
        opened = await intake.open_ticket_by_mail(
            _mail(body, who.subject, f"customer:{who.subject}"), on.unit_of_work(), on.policy, on.clock
        )
        return OpenedTicketOut.of(opened)

    @routes.post("/workshop/tickets", status_code=201, summary="Open a ticket for a parcel, on a customer's behalf")
    async def open_for_customer(body: StaffTicketIn, who: Principal = requires(WORKSHOP)) -> OpenedTicketOut:
        opened = await intake.open_ticket_by_mail(
            _mail(body, body.customer_id, who.subject), on.unit_of_work(), on.policy, on.clock
        )
        return OpenedTicketOut.of(opened)

    @routes.post(
        "/tickets/{ticket_id}/tracking-code", summary="A new tracking code for a ticket (the old one stops working)"
    )
    async def new_tracking_code(ticket_id: TicketId, _: Principal = requires(WORKSHOP)) -> OpenedTicketOut:
        return OpenedTicketOut.of(await intake.new_tracking_code_for(ticket_id, on.unit_of_work()))

    @routes.post("/tickets/{ticket_id}/diagnosis", summary="What is wrong, what it takes, what it costs")
    async def diagnose(ticket_id: TicketId, body: DiagnosisIn, who: Principal = requires(WORKSHOP)) -> TicketOut:
        command = commands.DiagnoseDevice(
            ticket_id,
            tuple(body.findings),
            body.needs(),
            body.estimate.value(),
            body.repairable,
            body.resale_value.value() if body.resale_value else None,
            who.subject,
        )
        return TicketOut.of(await diagnosis.diagnose_device(command, on.unit_of_work(), on.policy, on.clock))

    @routes.post("/tickets/{ticket_id}/quote-answer", summary="Accept or decline the quote (the ticket's owner)")
    async def answer(ticket_id: TicketId, body: QuoteAnswerIn, who: Principal = customer()) -> TicketOut:
        command = commands.AnswerQuote(ticket_id, body.accepted, who.subject, f"customer:{who.subject}")
        return TicketOut.of(await workshop.answer_quote(command, on.unit_of_work(), on.clock))

    def step_route(path: str, step: commands.Step) -> None:
        async def advance(ticket_id: TicketId, body: StepIn, who: Principal = requires(WORKSHOP)) -> TicketOut:
            command = commands.AdvanceTicket(ticket_id, step, who.subject, body.note)
            return TicketOut.of(await workshop.advance_ticket(command, on.unit_of_work(), on.clock))

        routes.add_api_route(
            f"/tickets/{{ticket_id}}/{path}",
            advance,
            methods=["POST"],
            summary=f"Workshop step: {path.replace('-', ' ')}",
            name=f"ticket_{step}",
        )

    for path, step in STEPS.items():
        step_route(path, step)

    @routes.get("/tickets", summary="Tickets, newest first", dependencies=[requires(READ)])
    async def list_tickets(
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
        customer_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
        status: Status | None = None,
        shop_id: Filter = None,
        centre_id: Filter = None,
    ) -> Page[TicketOut]:
        query = TicketQuery(customer_id=customer_id, status=status, shop_id=shop_id, centre_id=centre_id)
        found = await views.tickets(on.unit_of_work(), query, newest_after(page), page.limit + 1)
        items, cursor = page_of(found, page, lambda t: (t.opened_at, t.ticket_id))
        return Page(items=[TicketOut.of(t) for t in items], next_cursor=cursor)

    @routes.get("/me/tickets", summary="The signed-in customer's tickets, newest first")
    async def my_tickets(
        # The guard first: a stranger learns nothing, not even that a cursor is malformed.
        who: Annotated[Principal, customer()],
        page: Annotated[PageRequest, Depends(keyed_by(datetime, str))],
    ) -> Page[TicketOut]:
        found = await views.tickets(
            on.unit_of_work(), TicketQuery(customer_id=who.subject), newest_after(page), page.limit + 1
        )
        items, cursor = page_of(found, page, lambda t: (t.opened_at, t.ticket_id))
        return Page(items=[TicketOut.of(t) for t in items], next_cursor=cursor)

    @routes.get("/tickets/{ticket_id}", summary="A ticket with its history (its owner, or staff)")
    async def get_ticket(ticket_id: TicketId, who: Principal = owner_or_staff) -> TicketOut:
        own = who.subject if who.audience == STOREFRONT else None
        return TicketOut.of(await views.ticket_view(on.unit_of_work(), ticket_id, customer_id=own))

    return routes
