"""The workshop's diagnosis: what is wrong, what it takes, who is asked to pay, and whether the
repair is worth it. The parts it needs are reserved at once when the centre has them all, so a
ticket that will be repaired holds its parts before another takes them.

Without the workshop's own resale value, the catalog's prices kept by repair give it
(`domain/resale_values.py`): the SKU of the unit reloop sold, else the device's model family.
"""

from __future__ import annotations

from reloop_shared.clock import Clock
from repair.domain import commands
from repair.domain.resale_values import ResaleValue, SkuOnSale, model_keys, resale_value
from repair.domain.tickets import Diagnosis, Ticket
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer.lookup import ticket_of
from repair.service_layer.parts import hold_parts
from repair.service_layer.unit_of_work import RepairUnitOfWork


async def _resale_value(cmd: commands.DiagnoseDevice, ticket: Ticket, uow: RepairUnitOfWork) -> ResaleValue | None:
    """Load what the catalog's value is decided from (nothing when the workshop gave its own,
    which wins), then let the domain decide."""
    sold_sku: str | None = None
    models = [ticket.device.model]
    on_sale: list[SkuOnSale] = []
    if cmd.resale_value is None:
        sold = await uow.sold_devices.get(ticket.unit_id) if ticket.unit_id is not None else None
        sold_sku = sold.sku if sold is not None else None
        if ticket.subscription_id is not None:
            # The plan's device carries the model the customer gave when subscribing, where a
            # shop's drop-off carries only what its till scanned.
            plan = await uow.subscriptions.get(ticket.subscription_id)
            covered = plan.devices if plan is not None else ()
            models += [d.model for d in covered if d.identifier == ticket.device.identifier]
        keys = sorted({key for model in models for key in model_keys(model)})
        on_sale = await uow.resale_prices.around(ticket.market, [*keys, *filter(None, [sold_sku])], keys)
    return resale_value(
        workshop=cmd.resale_value, currency=cmd.estimate.currency, sold_sku=sold_sku, models=models, on_sale=on_sale
    )


async def diagnose_device(
    cmd: commands.DiagnoseDevice, uow: RepairUnitOfWork, policy: WorkshopPolicy, clock: Clock
) -> Ticket:
    async with uow:
        ticket = await ticket_of(uow, cmd.ticket_id)
        at = clock.now()
        value = await _resale_value(cmd, ticket, uow)
        diagnosis = Diagnosis(
            cmd.findings,
            cmd.parts,
            cmd.estimate,
            cmd.repairable,
            value.value if value is not None else None,
            value.source if value is not None else "workshop",
        )
        ticket.diagnose(diagnosis, policy, by=cmd.by, at=at)
        if ticket.wants_parts_reserved:
            await hold_parts(uow, ticket, at)
        await uow.tickets.save(ticket)
        await uow.commit()
    return ticket
