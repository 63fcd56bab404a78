"""Loads what a hold request, or the ending of holds, needs: in one call and in inventory's lock
order (SKU rows, then holds, then units and stock rows).

Storage-agnostic: it composes the repositories' reads, so PostgreSQL and the in-memory twin load
exactly the same things, tracked the same way (see `adapters/sale_contexts.py` for sales)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from inventory.domain import holding
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import Reserve
from inventory.domain.holding import HeldStock, HoldContext, StockKey
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit


class EligibleLocations(Protocol):
    async def eligible(self, market: str, location_id: str | None) -> list[str]: ...


class SkuLocks(Protocol):
    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]: ...


class UnitReads(Protocol):
    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]: ...
    async def find_available(
        self, sku: str, location_ids: Sequence[str], *, exclude: Sequence[str] = (), limit: int = 1
    ) -> list[Unit]: ...


class StockReads(Protocol):
    async def many(self, keys: Sequence[StockKey]) -> dict[StockKey, AccessoryStock]: ...
    async def free(self, skus: Iterable[str], location_ids: Sequence[str]) -> dict[StockKey, AccessoryStock]: ...


class HoldReads(Protocol):
    async def many(self, reservation_ids: Sequence[str], *, for_update: bool = True) -> dict[str, Reservation]: ...
    async def known(self, reservation_id: str) -> bool: ...


class HoldContextLoader:
    def __init__(
        self, locations: EligibleLocations, skus: SkuLocks, units: UnitReads, stock: StockReads, holds: HoldReads
    ) -> None:
        self.locations = locations
        self.skus = skus
        self.units = units
        self.stock = stock
        self.holds = holds

    async def for_request(self, cmd: Reserve) -> HoldContext:
        if await self.holds.known(cmd.reservation_id):
            return HoldContext(answered=True)
        skus = await self.skus.lock(line.sku for line in cmd.lines)
        if any(line.sku not in skus for line in cmd.lines):
            return HoldContext(skus=skus)  # rejected as it is: nothing else to read
        locations = await self.locations.eligible(cmd.market, cmd.location_id)
        named = holding.named_units(cmd)
        units = await self.units.many(named, for_update=True) if named else {}
        for sku, limit in sorted(holding.free_units_wanted(cmd).items()):
            for unit in await self.units.find_available(sku, locations, exclude=named, limit=limit):
                units[unit.unit_id] = unit
        accessories = {line.sku for line in cmd.lines if line.kind == holding.ACCESSORY}
        stock = await self.stock.free(accessories, locations) if accessories else {}
        return HoldContext(False, skus, locations, units, stock)

    async def held(self, reservation_ids: Sequence[str]) -> HeldStock:
        """The active holds among `reservation_ids` and what they hold, locked. The holds are read
        first without a lock to learn their SKUs, which are locked before them."""
        peeked = await self.holds.many(reservation_ids, for_update=False)
        active = sorted(x for x, hold in peeked.items() if hold.active)
        if not active:
            return HeldStock()
        await self.skus.lock(line.sku for x in active for line in peeked[x].lines)
        holds = {x: hold for x, hold in (await self.holds.many(active)).items() if hold.active}
        lines = [line for hold in holds.values() for line in hold.lines]
        unit_ids = sorted({line.unit_id for line in lines if line.unit_id is not None})
        keys = sorted({(x.sku, x.location_id) for x in lines if x.unit_id is None and x.kind == holding.ACCESSORY})
        units = await self.units.many(unit_ids, for_update=True) if unit_ids else {}
        stock = await self.stock.many(keys) if keys else {}
        return HeldStock(holds, units, stock)
