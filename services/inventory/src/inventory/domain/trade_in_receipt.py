"""A refurbished trade-in device entering stock: is it new to inventory, is it coherent with the
catalog, and where it is received. Decided on what the handler loaded beforehand, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import ReceiveTradeInUnit
from inventory.domain.device_history import DeviceHistory, previous_unit_on_entry
from inventory.domain.errors import Conflict, InventoryError, NotFound, UnknownSku
from inventory.domain.locations import Location
from inventory.domain.origins import TradeInOrigin
from inventory.domain.units import Unit
from reloop_contracts.markets import currency_of

CENTRE = "refurbishment_centre"


class NoArrivalCentre(InventoryError):
    """No single refurbishment centre can be told apart to receive the device."""


class GradeMismatch(InventoryError):
    """The device's grade is not the grade its SKU sells: it would be sold for what it is not."""


@dataclass(frozen=True)
class TradeInArrival:
    """What the decision needs, loaded at once."""

    sku: SkuInfo | None
    named: str | None
    """The location asked for (the event's, or the one configured), or None for the centre."""
    places: Sequence[Location]
    """The named location if it exists, else every refurbishment centre."""
    same_unit_id: Unit | None
    """The unit already known under the unit id asked for."""
    same_trade_in: Unit | None
    """The unit this trade-in already became."""
    device: DeviceHistory
    """Every unit the device was: it may have been ours before (sold, then traded back in)."""


def receive_trade_in_unit(
    cmd: ReceiveTradeInUnit, identifier: str, arrival: TradeInArrival, now: datetime
) -> Unit | None:
    """The unit received, or None when this trade-in's device is in stock already (the same event
    delivered again, or published twice): a redelivery never receives a device twice."""
    known = arrival.same_unit_id
    if known is not None:
        if known.origin is not None and known.origin.trade_in_id == cmd.trade_in_id and known.identifier == identifier:
            return None
        raise Conflict(
            f"unit {cmd.unit_id} is already known for another device ({known.identifier_kind} {known.identifier}"
            f"{_of_trade_in(known)}), not {cmd.identifier_kind} {identifier} of trade-in {cmd.trade_in_id}",
            field="unit_id",
        )
    if arrival.same_trade_in is not None:
        raise Conflict(
            f"trade-in {cmd.trade_in_id} is unit {arrival.same_trade_in.unit_id} already, not {cmd.unit_id}",
            field="trade_in_id",
        )
    grade = _grade_of(cmd, arrival.sku)
    # A device we sold and buy back is normal in refurbishing: it enters as a new unit that
    # remembers the one it was; only a device still in stock is refused.
    previous = previous_unit_on_entry(arrival.device, cmd.identifier_kind)
    location = arrival_location(arrival.named, arrival.places, cmd.acquired_for.currency)
    origin = TradeInOrigin(cmd.trade_in_id, cmd.acquired_for)
    return Unit.receive(
        cmd.unit_id,
        cmd.sku,
        cmd.identifier_kind,
        identifier,
        grade,
        location.location_id,
        now,
        origin=origin,
        previous_unit_id=previous,
    )


def arrival_location(named: str | None, places: Sequence[Location], currency: str) -> Location:
    """The location named, or else the one refurbishment centre of the markets paid in the currency
    the device was bought in: refurbished devices wait there for sale."""
    if named is not None:
        for place in places:
            if place.location_id == named:
                return place
        raise NotFound(f"no location {named} to receive the trade-in unit at", field="location_id")
    centres = sorted(
        (x for x in places if x.kind == CENTRE and currency_of(x.market) == currency), key=lambda x: x.location_id
    )
    if len(centres) != 1:
        found = ", ".join(x.location_id for x in centres) or "none"
        raise NoArrivalCentre(
            f"one refurbishment centre of a {currency} market receives trade-in units, found {found}: "
            "register it, or name it in INVENTORY_TRADE_IN_CENTRE",
            field="location_id",
        )
    return centres[0]


def _grade_of(cmd: ReceiveTradeInUnit, sku: SkuInfo | None) -> str:
    if sku is None:
        raise UnknownSku(f"the catalog has no SKU {cmd.sku}", field="sku")
    if sku.kind != "refurbished_device" or sku.grade is None:
        raise UnknownSku(f"{cmd.sku} is not a refurbished device SKU", field="sku")
    if sku.grade != cmd.grade:
        raise GradeMismatch(f"the device was graded {cmd.grade}, SKU {cmd.sku} is {sku.grade}", field="grade")
    return sku.grade


def _of_trade_in(unit: Unit) -> str:
    return f", trade-in {unit.origin.trade_in_id}" if unit.origin is not None else ""
