"""The collection hub: a shop ships the devices left with it; the destination receives them."""

from __future__ import annotations

from reloop_shared.clock import Clock
from reloop_shared.http.pagination import Key
from store_sync.domain import commands
from store_sync.domain.collected_devices import CollectedDevice
from store_sync.domain.collection import Shipment
from store_sync.domain.errors import NotFound
from store_sync.domain.idempotency import derived_id
from store_sync.domain.shops import check_id
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def dispatch(cmd: commands.DispatchShipment, uow: StoreSyncUnitOfWork, clock: Clock) -> Shipment:
    """Ship devices waiting at the shop. The shop's own reference makes a retry safe: the same
    reference gives the same shipment, never a second one."""
    check_id(cmd.to_location_id, "to_location_id")
    async with uow:
        await uow.shops.lock(cmd.shop_id)
        shipment_id = derived_id("shipment", cmd.shop_id, cmd.shipment_ref)
        existing = await uow.shipments.get(shipment_id)
        if existing is not None:
            existing.same_request(cmd.to_location_id, cmd.unit_ids)
            return existing
        waiting = await uow.shipments.waiting(cmd.shop_id, for_update=True)
        shipment = Shipment.dispatch(
            shipment_id, cmd.shop_id, cmd.to_location_id, waiting, cmd.unit_ids, cmd.carrier_reference, clock.now()
        )
        await uow.shipments.add(shipment)
        await uow.commit()
    return shipment


async def receive(cmd: commands.ReceiveShipment, uow: StoreSyncUnitOfWork, clock: Clock) -> Shipment:
    async with uow:
        shipment = await uow.shipments.get(cmd.shipment_id, for_update=True)
        if shipment is None:
            raise NotFound(f"no shipment {cmd.shipment_id}", field="shipment_id")
        if shipment.receive(cmd.unit_ids, clock.now()):
            await uow.shipments.save_receipt(shipment)
            await uow.commit()
    return shipment


async def waiting_at(shop_id: str, uow: StoreSyncUnitOfWork, *, after: Key | None, limit: int) -> list[CollectedDevice]:
    """Devices waiting at the shop for a shipment, in the order they were left there."""
    async with uow:
        return await uow.shipments.waiting(shop_id, after=after, limit=limit)
