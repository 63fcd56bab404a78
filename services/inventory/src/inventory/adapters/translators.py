"""Domain events -> contract events, in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inventory.domain import events
from reloop_contracts import Event
from reloop_contracts import inventory as contract


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    match event:
        case events.UnitReceived():
            return [
                contract.UnitReceived(
                    unit_id=event.unit_id,
                    sku=event.sku,
                    identifier=contract.DeviceIdentifier(kind=_any(event.identifier_kind), value=event.identifier),
                    grade=_any(event.grade),
                    location_id=event.location_id,
                    received_at=event.at,
                )
            ]
        case events.UnitStatusChanged():
            return [
                contract.UnitStatusChanged(
                    unit_id=event.unit_id,
                    sku=event.sku,
                    location_id=event.location_id,
                    previous_status=_any(event.previous),
                    status=_any(event.status),
                    reason=event.reason,
                    reference=event.reference,
                    grade=_any(event.grade),
                    changed_at=event.at,
                )
            ]
        case events.AccessoryStockChanged():
            return [
                contract.AccessoryStockChanged(
                    stock_id=f"{event.sku}@{event.location_id}",
                    sku=event.sku,
                    location_id=event.location_id,
                    on_hand=event.on_hand,
                    reserved=event.reserved,
                    delta=event.delta,
                    reason=event.reason,
                    reference=event.reference,
                    changed_at=event.at,
                )
            ]
        case events.ReservationConfirmed():
            return [
                contract.ReservationConfirmed(
                    reservation_id=event.reservation_id,
                    lines=[
                        contract.ReservedLine(
                            line_id=x.line_id,
                            kind=_any(x.kind),
                            sku=x.sku,
                            quantity=x.quantity,
                            unit_id=x.unit_id,
                            location_id=x.location_id,
                        )
                        for x in event.lines
                    ],
                    expires_at=event.expires_at,
                )
            ]
        case events.ReservationRejected():
            return [
                contract.ReservationRejected(
                    reservation_id=event.reservation_id,
                    reason=_any(event.reason),
                    detail=event.detail,
                    failed_lines=list(event.failed_lines),
                    substitutes=[
                        contract.Substitute(line_id=s.line_id, sku=s.sku, unit_id=s.unit_id, location_id=s.location_id)
                        for s in event.substitutes
                    ],
                )
            ]
        case events.ReservationEnded():
            return [
                contract.ReservationEnded(
                    reservation_id=event.reservation_id,
                    outcome=_any(event.outcome),
                    reason=event.reason,
                    ended_at=event.at,
                )
            ]
        case events.ReservationExtended():
            return [contract.ReservationExtended(reservation_id=event.reservation_id, expires_at=event.expires_at)]
        case events.ReservationReallocated():
            return [contract.ReservationReallocated(**event.__dict__)]
        case events.ReservationBroken():
            return [contract.ReservationBroken(**event.__dict__)]
        case events.SaleAllocated():
            return [
                contract.SaleAllocated(
                    sale_id=event.sale_id,
                    channel=_any(event.channel),
                    location_id=event.location_id,
                    lines=[contract.AllocatedLine(**{**x.__dict__, "kind": _any(x.kind)}) for x in event.lines],
                    conflicts=[
                        contract.SaleConflict(**{k: _any(v) for k, v in c.__dict__.items()}) for c in event.conflicts
                    ],
                    allocated_at=event.at,
                )
            ]
        case events.SaleLineReallocated():
            return [contract.SaleLineReallocated(**event.__dict__)]
        case events.SaleUnallocated():
            return [contract.SaleUnallocated(**event.__dict__)]
        case events.ReturnReceived():
            return [
                contract.ReturnReceived(
                    return_id=event.return_id,
                    sale_id=event.sale_id,
                    location_id=event.location_id,
                    unit_ids=list(event.unit_ids),
                    received_at=event.at,
                )
            ]


def _any(value: Any) -> Any:
    """Domain strings enter Literal-typed contract fields; the contract validates them."""
    return value
