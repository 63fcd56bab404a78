"""Devices arriving for repair: left at a shop (`RepairDroppedOff`) or sent by parcel. Who pays is
decided at once from what repair knows (the warranty on a unit reloop sold, the customer's plan),
and the owner gets a tracking code, shown once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, uuid4, uuid5

from reloop_shared.clock import Clock
from repair.domain import commands
from repair.domain.coverage import CoverageDecision, PlanAnswer, decide_coverage
from repair.domain.devices import DeviceIdentifier
from repair.domain.tickets import Intake, Ticket
from repair.domain.tracking_codes import new_tracking_code, tracking_code_hash
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer.coverage_lookup import plan_covering
from repair.service_layer.lookup import ticket_of
from repair.service_layer.unit_of_work import RepairUnitOfWork


@dataclass(frozen=True)
class OpenedTicket:
    ticket: Ticket
    tracking_code: str | None
    """Shown once, to whoever opened the ticket; None when the ticket existed already."""


def drop_off_ticket_id(drop_off_id: str) -> str:
    """The same drop-off always makes the same ticket, whichever copy of the event comes in."""
    return f"rt_{uuid5(NAMESPACE_URL, f'reloop:repair-drop-off:{drop_off_id}').hex}"


async def _coverage(
    uow: RepairUnitOfWork,
    customer_id: str | None,
    identifier: DeviceIdentifier,
    unit_id: str | None,
    policy: WorkshopPolicy,
    at: datetime,
) -> tuple[CoverageDecision, bool]:
    plan = await plan_covering(uow, customer_id, identifier, at)
    sold = await uow.sold_devices.get(unit_id) if unit_id is not None else None
    answer = PlanAnswer(plan.subscription_id, plan.refusal)
    return decide_coverage(answer, sold, policy=policy, at=at), sold is not None


async def when_repair_dropped_off_open_a_ticket(
    cmd: commands.OpenTicketFromDropOff, uow: RepairUnitOfWork, policy: WorkshopPolicy, clock: Clock
) -> OpenedTicket:
    async with uow:
        known = await uow.tickets.by_drop_off(cmd.drop_off_id)
        if known is not None:
            return OpenedTicket(known, None)
        at = clock.now()
        decision, bought = await _coverage(uow, cmd.customer_id, cmd.device.identifier, cmd.unit_id, policy, at)
        code = new_tracking_code()
        intake = Intake(
            drop_off_ticket_id(cmd.drop_off_id),
            cmd.market,
            cmd.channel,
            cmd.shop_id,
            cmd.drop_off_id,
            cmd.customer_id,
            cmd.device,
            cmd.unit_id if bought else None,
            cmd.symptoms,
            (),
            None,
            policy.centre_of(cmd.market),
            tracking_code_hash(code),
        )
        ticket = Ticket.open(intake, decision, bought_from_us=bought, by=f"shop:{cmd.shop_id}", at=at)
        await uow.tickets.add(ticket)
        await uow.commit()
    return OpenedTicket(ticket, code)


async def open_ticket_by_mail(
    cmd: commands.OpenTicketByMail, uow: RepairUnitOfWork, policy: WorkshopPolicy, clock: Clock
) -> OpenedTicket:
    async with uow:
        at = clock.now()
        decision, bought = await _coverage(uow, cmd.customer_id, cmd.device.identifier, cmd.unit_id, policy, at)
        code = new_tracking_code()
        intake = Intake(
            f"rt_{uuid4().hex}",
            cmd.market,
            "online",
            None,
            None,
            cmd.customer_id,
            cmd.device,
            cmd.unit_id if bought else None,
            cmd.symptoms,
            cmd.photos,
            cmd.shipment_reference,
            policy.centre_of(cmd.market),
            tracking_code_hash(code),
        )
        ticket = Ticket.open(intake, decision, bought_from_us=bought, by=cmd.by, at=at)
        await uow.tickets.add(ticket)
        await uow.commit()
    return OpenedTicket(ticket, code)


async def new_tracking_code_for(ticket_id: str, uow: RepairUnitOfWork) -> OpenedTicket:
    """A new code for a ticket whose code was lost (a shop's drop-off: the till never saw it); the
    old one stops working."""
    async with uow:
        ticket = await ticket_of(uow, ticket_id)
        code = new_tracking_code()
        ticket.tracking_hash = tracking_code_hash(code)
        await uow.tickets.save(ticket)
        await uow.commit()
    return OpenedTicket(ticket, code)
