"""A trade-in's refurbished device enters stock (from `TradeInUnitReady`): load, decide, save."""

from __future__ import annotations

from inventory.domain.commands import ReceiveTradeInUnit
from inventory.domain.device_history import DeviceHistory
from inventory.domain.identifiers import normalise
from inventory.domain.locations import Location
from inventory.domain.trade_in_receipt import CENTRE, TradeInArrival, receive_trade_in_unit
from inventory.domain.units import Unit
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def receive_from_trade_in(
    cmd: ReceiveTradeInUnit, uow: InventoryUnitOfWork, *, centre_id: str | None = None, clock: Clock = SYSTEM_CLOCK
) -> Unit | None:
    """Receive the device where the event says, else at `centre_id` (configured), else at the one
    refurbishment centre of its currency. None: it was received already, nothing changed."""
    identifier = normalise(cmd.identifier_kind, cmd.identifier)
    named = cmd.location_id or centre_id
    async with uow:
        # The SKU row first, as every stock change locks it: units of a SKU change one at a time.
        sku = (await uow.skus.lock([cmd.sku])).get(cmd.sku)
        places: list[Location]
        if named is not None:
            place = await uow.locations.get(named)
            places = [place] if place is not None else []
        else:
            places = await uow.locations.of_kind(CENTRE)
        arrival = TradeInArrival(
            sku=sku,
            named=named,
            places=places,
            same_unit_id=await uow.units.get(cmd.unit_id, for_update=True),
            same_trade_in=await uow.units.from_trade_in(cmd.trade_in_id),
            device=DeviceHistory(identifier, await uow.units.carrying(identifier)),
        )
        unit = receive_trade_in_unit(cmd, identifier, arrival, clock.now())
        if unit is not None:
            await uow.units.add(unit)
            await uow.commit()
    return unit
