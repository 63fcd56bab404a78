"""Stock coming in: a refurbished unit received, inspected, repaired; accessories received."""

from __future__ import annotations

from inventory.domain import commands
from inventory.domain.device_history import DeviceHistory, previous_unit_on_entry
from inventory.domain.errors import Conflict, InvalidTransition, NotFound, UnknownSku
from inventory.domain.identifiers import normalise
from inventory.domain.units import Unit
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def receive_unit(cmd: commands.ReceiveUnit, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> Unit:
    identifier = normalise(cmd.identifier_kind, cmd.identifier)
    async with uow:
        skus = await uow.skus.lock([cmd.sku])
        info = skus.get(cmd.sku)
        if info is None:
            raise UnknownSku(f"the catalog has no SKU {cmd.sku}", field="sku")
        if info.kind != "refurbished_device" or info.grade is None:
            raise UnknownSku(f"{cmd.sku} is not a refurbished device SKU", field="sku")
        if await uow.locations.get(cmd.location_id) is None:
            raise NotFound(f"no location {cmd.location_id}", field="location_id")
        device = DeviceHistory(identifier, await uow.units.carrying(identifier))
        previous = previous_unit_on_entry(device, cmd.identifier_kind)
        if await uow.units.get(cmd.unit_id) is not None:
            raise Conflict(f"unit {cmd.unit_id} already exists", field="unit_id")
        unit = Unit.receive(
            cmd.unit_id,
            cmd.sku,
            cmd.identifier_kind,
            identifier,
            info.grade,
            cmd.location_id,
            clock.now(),
            previous_unit_id=previous,
        )
        await uow.units.add(unit)
        await uow.commit()
    return unit


async def inspect_unit(cmd: commands.InspectUnit, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> Unit:
    async with uow:
        unit = await _locked_unit(uow, cmd.unit_id)
        unit.inspect(cmd.outcome, clock.now())
        await uow.commit()
    return unit


async def finish_repair(cmd: commands.FinishRepair, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK) -> Unit:
    async with uow:
        unit = await _locked_unit(uow, cmd.unit_id)
        if unit.status != "in_repair":
            raise InvalidTransition(f"unit {cmd.unit_id} is {unit.status}, not in repair", field="unit_id")
        unit.repaired(clock.now())
        await uow.commit()
    return unit


async def receive_accessories(
    cmd: commands.ReceiveAccessories, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK
) -> int:
    async with uow:
        info = (await uow.skus.lock([cmd.sku])).get(cmd.sku)
        if info is None or info.kind != "accessory":
            raise UnknownSku(f"{cmd.sku} is not an accessory SKU of the catalog", field="sku")
        if await uow.locations.get(cmd.location_id) is None:
            raise NotFound(f"no location {cmd.location_id}", field="location_id")
        stock = await uow.stock.get(cmd.sku, cmd.location_id)
        stock.receive(cmd.quantity, cmd.reference, clock.now())
        await uow.commit()
    return stock.on_hand


async def _locked_unit(uow: InventoryUnitOfWork, unit_id: str) -> Unit:
    unit = await uow.units.get(unit_id)
    if unit is None:
        raise NotFound(f"no unit {unit_id}", field="unit_id")
    await uow.skus.lock([unit.sku])
    locked = await uow.units.get(unit_id, for_update=True)
    assert locked is not None
    return locked
