"""The one place inventory's language meets the contracts: contract events -> commands on the way
in, domain events -> contract events on the way out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inventory.domain import commands, events
from inventory.domain.origins import TradeInOrigin
from reloop_contracts import Event, NonNegativeMoney, catalog, sales, store, trade_in
from reloop_contracts import inventory as contract

# --- in: contract events -> commands ---------------------------------------------------------------


def sale_command(event: sales.SaleRecorded) -> commands.ApplySale:
    return commands.ApplySale(
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.location_id,
        market=event.market,
        currency=event.total.currency,
        sold_at=event.sold_at,
        lines=tuple(
            commands.SoldLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id) for line in event.lines
        ),
        reservation_id=event.reservation_id,
    )


def return_command(event: sales.ReturnRecorded) -> commands.ApplyReturn:
    return commands.ApplyReturn(
        return_id=event.return_id,
        sale_id=event.sale_id,
        channel=event.channel,
        location_id=event.location_id,
        returned_at=event.returned_at,
        lines=tuple(
            commands.ReturnedLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id)
            for line in event.lines
        ),
    )


def reserve_command(event: contract.ReservationRequested) -> commands.Reserve:
    return commands.Reserve(
        reservation_id=event.reservation_id,
        channel=event.channel,
        market=event.market,
        lines=tuple(
            commands.RequestedLine(line.line_id, line.kind, line.sku, line.quantity, line.unit_id)
            for line in event.lines
        ),
        location_id=event.location_id,
        hold_seconds=event.hold_seconds,
    )


def release_command(event: contract.ReservationReleaseRequested) -> commands.ReleaseReservation:
    return commands.ReleaseReservation(event.reservation_id, event.reason)


def extend_command(event: contract.ReservationExtensionRequested) -> commands.ExtendReservation:
    return commands.ExtendReservation(event.reservation_id, event.hold_seconds)


def sku_command(event: catalog.SkuListed) -> commands.RecordSku:
    return commands.RecordSku(event.sku, event.kind, event.grade, event.product_id)


def discontinue_command(event: catalog.SkuDiscontinued) -> commands.DiscontinueSku:
    return commands.DiscontinueSku(event.sku)


def location_command(event: store.ShopRegistered) -> commands.RegisterLocation:
    return commands.RegisterLocation(event.shop_id, event.kind, event.market, event.name)


def count_command(event: store.StockCounted) -> commands.CountStock:
    return commands.CountStock(
        event.count_id,
        event.shop_id,
        event.reason,
        {line.sku: line.counted for line in event.accessories},
        tuple(event.units_present) if event.units_present is not None else None,
    )


def dispatch_command(event: store.ShipmentDispatched) -> commands.DispatchShipment:
    return commands.DispatchShipment(
        event.shipment_id,
        event.from_location_id,
        event.to_location_id,
        tuple(
            commands.ShippedDevice(
                u.unit_id,
                u.kind,
                u.source_id,
                u.sku,
                u.identifier.kind if u.identifier else None,
                u.identifier.value if u.identifier else None,
            )
            for u in event.units
        ),
    )


def shipment_receipt_command(event: store.ShipmentReceived) -> commands.ReceiveShipment:
    return commands.ReceiveShipment(
        event.shipment_id, event.to_location_id, tuple(event.received_unit_ids), tuple(event.missing_unit_ids)
    )


def trade_in_unit_command(event: trade_in.TradeInUnitReady) -> commands.ReceiveTradeInUnit:
    # The event names no location in v1: the unit is received at the refurbishment centre.
    return commands.ReceiveTradeInUnit(
        trade_in_id=event.trade_in_id,
        unit_id=event.unit_id,
        sku=event.sku,
        identifier_kind=event.identifier.kind,
        identifier=event.identifier.value,
        grade=event.grade,
        acquired_for=event.acquired_for.value(),
    )


# --- out: domain events -> contract events ---------------------------------------------------------


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
                    origin=_origin(event.origin),
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
        case events.AvailabilityChanged():
            return [
                contract.AvailabilityChanged(
                    sku=event.sku,
                    kind=_any(event.kind),
                    total_available=event.total_available,
                    by_location=[
                        contract.LocationAvailability(
                            location_id=x.location_id,
                            location_kind=_any(x.location_kind),
                            market=x.market,
                            available=x.available,
                        )
                        for x in event.by_location
                    ],
                    as_of=event.at,
                )
            ]
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


def _origin(origin: TradeInOrigin | None) -> contract.UnitOrigin | None:
    if origin is None:
        return None
    return contract.UnitOrigin(
        kind="trade_in", trade_in_id=origin.trade_in_id, acquired_for=NonNegativeMoney.of(origin.acquired_for)
    )


def _any(value: Any) -> Any:
    """Domain strings enter Literal-typed contract fields; the contract validates them."""
    return value
