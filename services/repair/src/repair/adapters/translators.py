"""Contracts <-> repair's domain, in one place: domain events of tickets and parts out to
`repair.tickets.v1` and `repair.parts.v1` (the subscriptions' through `subscription_translators`);
shop drop-offs and sales in as commands."""

from __future__ import annotations

from collections.abc import Sequence

from reloop_contracts import Event, NonNegativeMoney, PositiveMoney, sales, store
from reloop_contracts import repair as contract
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from repair.adapters.subscription_translators import subscription_to_contract
from repair.domain import commands, events
from repair.domain.devices import Device, identify

# What a shop's till cannot tell: the category and model of a device left for repair. The SKU,
# when the shop read one, names the model; the category is then a smartphone, the bulk of repairs.
UNKNOWN_MODEL = "unknown"


def wire_device(device: Device) -> contract.RepairedDevice:
    return contract.RepairedDevice(
        identifier=WireIdentifier(kind=device.identifier.kind, value=device.identifier.value),
        category=device.category,
        model=device.model,
    )


def _parts(needs: Sequence[events.PartNeed]) -> list[contract.PartNeeded]:
    return [contract.PartNeeded(part_sku=n.part_sku, quantity=n.quantity) for n in needs]


def ticket_to_contract(event: events.TicketEvent | events.PartsEvent) -> Event:
    match event:
        case events.TicketOpened():
            return contract.RepairTicketOpened(
                ticket_id=event.ticket_id,
                channel=event.channel,
                shop_id=event.shop_id,
                drop_off_id=event.drop_off_id,
                market=event.market,
                customer_id=event.customer_id,
                device=wire_device(event.device),
                bought_from_us=event.bought_from_us,
                unit_id=event.unit_id,
                symptoms=event.symptoms,
                coverage=event.coverage,
                coverage_reason=event.coverage_reason,
                subscription_id=event.subscription_id,
                opened_at=event.at,
            )
        case events.TicketDiagnosed():
            return contract.RepairDiagnosed(
                ticket_id=event.ticket_id,
                findings=list(event.findings),
                parts=_parts(event.parts),
                estimate=NonNegativeMoney.of(event.estimate),
                repairable=event.repairable,
                beyond_economic_repair=event.beyond_economic_repair,
                diagnosed_by=event.by,
                diagnosed_at=event.at,
            )
        case events.RepairQuoted():
            return contract.RepairQuoted(
                ticket_id=event.ticket_id,
                amount=PositiveMoney.of(event.amount),
                answer_by=event.answer_by,
                quoted_at=event.at,
            )
        case events.QuoteAnswered():
            return contract.RepairQuoteAnswered(
                ticket_id=event.ticket_id, accepted=event.accepted, by_default=event.by_default, answered_at=event.at
            )
        case events.TicketProgressed():
            return contract.RepairProgressed(ticket_id=event.ticket_id, status=event.status, by=event.by, at=event.at)
        case events.RepairCompleted():
            return contract.RepairCompleted(
                ticket_id=event.ticket_id,
                coverage=event.coverage,
                charged=NonNegativeMoney.of(event.charged),
                parts_used=_parts(event.parts_used),
                completed_at=event.at,
            )
        case events.DeviceHandedBack():
            return contract.RepairReturned(
                ticket_id=event.ticket_id,
                repaired=event.repaired,
                how=event.how,
                shop_id=event.shop_id,
                returned_at=event.at,
            )
        case events.TradeInSuggested():
            return contract.TradeInSuggested(
                ticket_id=event.ticket_id,
                customer_id=event.customer_id,
                market=event.market,
                device=wire_device(event.device),
                repair_estimate=PositiveMoney.of(event.repair_estimate),
                resale_value=PositiveMoney.of(event.resale_value),
                suggested_at=event.at,
            )
        case events.PartsBelowReorderPoint():
            return contract.PartsBelowReorderPoint(
                part_sku=event.part_sku,
                centre_id=event.centre_id,
                on_hand=event.on_hand,
                reserved=event.reserved,
                reorder_point=event.reorder_point,
                at=event.at,
            )


_WORKSHOP_EVENTS = (
    events.TicketOpened,
    events.TicketDiagnosed,
    events.RepairQuoted,
    events.QuoteAnswered,
    events.TicketProgressed,
    events.RepairCompleted,
    events.DeviceHandedBack,
    events.TradeInSuggested,
    events.PartsBelowReorderPoint,
)


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    """The unit of work's translator: each domain event is published as one contract event."""
    if isinstance(event, _WORKSHOP_EVENTS):
        return [ticket_to_contract(event)]
    return [subscription_to_contract(event)]


def repair_drop_off(event: store.RepairDroppedOff) -> commands.OpenTicketFromDropOff:
    dropped = event.device
    return commands.OpenTicketFromDropOff(
        drop_off_id=event.drop_off_id,
        shop_id=event.shop_id,
        channel=event.channel,
        market=event.market,
        customer_id=event.customer.customer_id if event.customer else None,
        device=Device(
            identify(dropped.identifier.kind, dropped.identifier.value),
            "smartphone",
            dropped.sku or UNKNOWN_MODEL,
        ),
        unit_id=dropped.unit_id,
        symptoms=event.issue[:2000],
        dropped_off_at=event.dropped_off_at,
    )


def sold_devices(event: sales.SaleRecorded) -> commands.RecordSoldDevices:
    return commands.RecordSoldDevices(
        sale_id=event.sale_id,
        market=event.market,
        sold_at=event.sold_at,
        units=tuple(
            commands.SoldUnit(line.unit_id, line.sku)
            for line in event.lines
            if line.kind == "refurbished_device" and line.unit_id is not None
        ),
    )
