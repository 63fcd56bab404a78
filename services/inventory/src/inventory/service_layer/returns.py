"""Apply a return from any channel: devices come back to the return location and wait for
inspection (they are not sellable until inspected); accessories go back on the shelf. A device
that came back to us since as another unit (a trade-in) cannot be returned against the old sale."""

from __future__ import annotations

from inventory.domain import commands, events
from inventory.domain.device_history import DeviceHistory, check_can_come_back
from inventory.domain.errors import InvalidSale
from inventory.domain.verdicts import Verdicts
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def apply_return(cmd: commands.ApplyReturn, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> str:
    async with uow:
        if await uow.ledger.return_applied(cmd.return_id):
            return "duplicate"
        if await uow.locations.get(cmd.location_id) is None:
            raise InvalidSale(f"unknown location {cmd.location_id}", field="location_id")
        stock_lines = [line for line in cmd.lines if line.kind != "service"]
        await uow.skus.lock(line.sku for line in stock_lines)
        devices = [line.unit_id or "" for line in stock_lines if line.kind != "accessory"]
        units = await uow.units.many(devices, for_update=True)
        histories = await uow.units.carrying_any([u.identifier for u in units.values()])
        at = clock.now()
        received: list[str] = []
        for line in stock_lines:
            if line.kind == "accessory":
                stock = await uow.stock.get(line.sku, cmd.location_id)
                stock.take_back(line.quantity, cmd.return_id, at)
                continue
            unit = units.get(line.unit_id or "")
            if unit is None or unit.status != "sold" or unit.sale_id != cmd.sale_id:
                raise InvalidSale(
                    f"unit {line.unit_id} was not sold by sale {cmd.sale_id}; it cannot be returned against it",
                    field="lines.unit_id",
                )
            device = DeviceHistory(unit.identifier, histories.get(unit.identifier, [unit]))
            check_can_come_back(unit, device, field="lines.unit_id")
            unit.take_back(cmd.location_id, cmd.return_id, at)
            received.append(unit.unit_id)
        await uow.ledger.record_return(cmd.return_id, cmd.sale_id, cmd.location_id)
        uow.track(Verdicts.of(events.ReturnReceived(cmd.return_id, cmd.sale_id, cmd.location_id, tuple(received), at)))
        await uow.commit()
    return "applied"
