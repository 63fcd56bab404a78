"""Moving units between locations (a shop's trade-ins and returns to the refurbishment centre, a
warehouse restocking a shop): in transit while moving, then at the destination."""

from __future__ import annotations

from inventory.domain import commands
from inventory.domain.errors import Conflict, NotFound
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def start_transfer(cmd: commands.StartTransfer, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> None:
    async with uow:
        if await uow.transfers.get(cmd.transfer_id) is not None:
            raise Conflict(f"transfer {cmd.transfer_id} already exists", field="transfer_id")
        if await uow.locations.get(cmd.to_location_id) is None:
            raise NotFound(f"no location {cmd.to_location_id}", field="to_location_id")
        peek = await uow.units.many(cmd.unit_ids)
        missing = sorted(set(cmd.unit_ids) - set(peek))
        if missing:
            raise NotFound(f"no unit {', '.join(missing)}", field="unit_ids")
        await uow.skus.lock(unit.sku for unit in peek.values())
        units = await uow.units.many(cmd.unit_ids, for_update=True)
        at = clock.now()
        for unit in units.values():
            unit.start_transfer(cmd.to_location_id, cmd.transfer_id, at)
        await uow.transfers.add(cmd.transfer_id, cmd.to_location_id, cmd.unit_ids)
        await uow.commit()


async def receive_transfer(
    cmd: commands.ReceiveTransfer, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK
) -> list[str]:
    async with uow:
        transfer = await uow.transfers.get(cmd.transfer_id)
        if transfer is None:
            raise NotFound(f"no transfer {cmd.transfer_id}", field="transfer_id")
        unit_ids = transfer.unit_ids
        if transfer.received:
            return unit_ids
        peek = await uow.units.many(unit_ids)
        await uow.skus.lock(unit.sku for unit in peek.values())
        units = await uow.units.many(unit_ids, for_update=True)
        at = clock.now()
        for unit in units.values():
            if unit.status == "in_transit":
                unit.arrive(cmd.transfer_id, at)
        await uow.transfers.mark_received(cmd.transfer_id)
        await uow.commit()
    return unit_ids
