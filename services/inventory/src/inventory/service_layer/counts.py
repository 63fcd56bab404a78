"""Stock counts: what was physically found at a location replaces what the books said, and every
difference is recorded with the count's reason."""

from __future__ import annotations

from typing import Any

from inventory.domain import commands
from inventory.domain.device_history import DeviceHistory
from inventory.domain.errors import NotFound, UnknownSku
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from reloop_shared.clock import SYSTEM_CLOCK, Clock


async def count_stock(
    cmd: commands.CountStock, uow: InventoryUnitOfWork, clock: Clock = SYSTEM_CLOCK
) -> list[dict[str, Any]]:
    async with uow:
        if await uow.counts.exists(cmd.count_id):
            return []
        if await uow.locations.get(cmd.location_id) is None:
            raise NotFound(f"no location {cmd.location_id}", field="location_id")
        at = clock.now()
        adjustments: list[dict[str, Any]] = []
        present = set(cmd.units_present or ())
        on_books = (
            await uow.units.search(None, cmd.location_id, "available", None, 100_000)
            if cmd.units_present is not None
            else []
        )
        elsewhere = await uow.units.many(sorted(present - {u.unit_id for u in on_books}))
        skus = {u.sku for u in on_books} | {u.sku for u in elsewhere.values()} | set(cmd.accessories)
        known = await uow.skus.lock(skus)
        unknown = sorted(set(cmd.accessories) - set(known))
        if unknown:
            raise UnknownSku(f"unknown SKU {', '.join(unknown)}", field="accessories")
        stock = await uow.stock.many([(sku, cmd.location_id) for sku in sorted(cmd.accessories)])
        listed = {u.unit_id for u in on_books}
        missing = sorted(listed - present) if cmd.units_present is not None else []
        found = sorted(present - listed)
        units = await uow.units.many([*missing, *found], for_update=True) if missing or found else {}
        gone = [units[x].identifier for x in found if x in units and units[x].status == "written_off"]
        histories = await uow.units.carrying_any(gone) if gone else {}
        for sku, counted in sorted(cmd.accessories.items()):
            row = stock[(sku, cmd.location_id)]
            before = row.on_hand
            row.count(counted, cmd.reason, cmd.count_id, at)
            if counted != before:
                adjustments.append({"sku": sku, "from": before, "to": counted})
        for unit_id in missing:
            unit = units.get(unit_id)
            if unit is not None and unit.status == "available":
                unit.write_off(f"missing at stock count: {cmd.reason}", cmd.count_id, at)
                adjustments.append({"unit_id": unit.unit_id, "change": "missing"})
        for unit_id in found:
            unit = units.get(unit_id)
            if unit is None:
                adjustments.append({"unit_id": unit_id, "change": "unknown unit, not in inventory"})
            elif unit.status in {"available", "written_off"}:
                later = DeviceHistory(unit.identifier, histories.get(unit.identifier, [])).after(unit)
                if later is not None:
                    # The device is in our books as its later unit: the old one stays written off,
                    # and the count reports it rather than refusing the whole count.
                    change = f"not revived: its device came back as unit {later.unit_id}"
                    adjustments.append({"unit_id": unit_id, "change": change})
                    continue
                unit.found(cmd.location_id, f"found at stock count: {cmd.reason}", cmd.count_id, at)
                adjustments.append({"unit_id": unit_id, "change": "found here"})
        await uow.counts.add(cmd.count_id, cmd.location_id, cmd.reason, adjustments)
        await uow.commit()
    return adjustments
