"""The collection hub: devices left at shops travel to the refurbishment centre. Returned units are
stock and move as units (in transit, then returned at the centre, awaiting inspection); trade-ins
and repair devices are followed as collected devices until the centre grades or repairs them."""

from __future__ import annotations

from inventory.domain import commands
from inventory.domain.errors import NotFound
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def dispatch_shipment(
    cmd: commands.DispatchShipment, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK
) -> None:
    async with uow:
        if await uow.transfers.get(cmd.shipment_id) is not None:
            return  # already dispatched
        if await uow.locations.get(cmd.to_location_id) is None:
            raise NotFound(f"no location {cmd.to_location_id}", field="to_location_id")
        known = await uow.units.many([d.unit_id for d in cmd.devices])
        await uow.skus.lock(unit.sku for unit in known.values())
        units = await uow.units.many(list(known), for_update=True)
        at = clock.now()
        moving = []
        for unit in units.values():
            if unit.status in {"returned", "received", "available", "in_repair"}:
                unit.start_transfer(cmd.to_location_id, cmd.shipment_id, at)
                moving.append(unit.unit_id)
        await uow.transfers.add(cmd.shipment_id, cmd.to_location_id, moving)
        followed = [
            (d.unit_id, d.kind, d.source_id, d.sku, d.identifier_kind, d.identifier)
            for d in cmd.devices
            if d.unit_id not in known
        ]
        if followed:
            await uow.collected.dispatched(cmd.shipment_id, cmd.to_location_id, followed)
        await uow.commit()


async def receive_shipment(
    cmd: commands.ReceiveShipment, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK
) -> None:
    async with uow:
        transfer = await uow.transfers.get(cmd.shipment_id)
        if transfer is not None and not transfer.received:
            unit_ids = transfer.unit_ids
            peek = await uow.units.many(unit_ids)
            await uow.skus.lock(unit.sku for unit in peek.values())
            units = await uow.units.many(unit_ids, for_update=True)
            at = clock.now()
            for unit in units.values():
                if unit.status != "in_transit":
                    continue
                if unit.unit_id in cmd.missing:
                    unit.arrive(cmd.shipment_id, at)
                    unit.write_off(f"missing from shipment {cmd.shipment_id}", cmd.shipment_id, at)
                else:
                    unit.arrive(cmd.shipment_id, at)
            await uow.transfers.mark_received(cmd.shipment_id)
        await uow.collected.arrived(cmd.shipment_id, cmd.received, cmd.missing)
        await uow.commit()
