"""Loads what a batch of sales needs, in one call and in inventory's lock order: SKU rows, then
holds, then units. The usual batch (free units, maybe holds) costs a fixed number of bulk reads
however many sales it has; replacement candidates are read only for contested SKUs.

Storage-agnostic: it composes the repositories' bulk reads, so PostgreSQL and the in-memory twin
load exactly the same things, tracked the same way."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from inventory.domain import sale_needs as needs
from inventory.domain.allocation import SaleContext, StockKey
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import ApplySale
from inventory.domain.ledger import AppliedSale
from inventory.domain.locations import Location
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit


class LocationReads(Protocol):
    async def many(self, location_ids: Iterable[str]) -> dict[str, Location]: ...
    async def shipping(self, markets: Iterable[str]) -> dict[str, list[str]]: ...


class SkuLocks(Protocol):
    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]: ...


class UnitReads(Protocol):
    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]: ...
    async def candidates(self, wanted: dict[str, int], location_ids: Sequence[str]) -> list[Unit]: ...


class StockReads(Protocol):
    async def many(self, keys: Sequence[StockKey]) -> dict[StockKey, AccessoryStock]: ...


class HoldReads(Protocol):
    async def many(self, reservation_ids: Sequence[str], *, for_update: bool = True) -> dict[str, Reservation]: ...
    async def holding(self, unit_ids: Sequence[str]) -> dict[str, Reservation]: ...


class LedgerReads(Protocol):
    async def already_applied(self, sale_ids: Sequence[str]) -> set[str]: ...
    async def many(self, sale_ids: Sequence[str]) -> dict[str, AppliedSale]: ...


class SaleContextLoader:
    def __init__(
        self,
        locations: LocationReads,
        skus: SkuLocks,
        units: UnitReads,
        stock: StockReads,
        reservations: HoldReads,
        ledger: LedgerReads,
    ) -> None:
        self.locations = locations
        self.skus = skus
        self.units = units
        self.stock = stock
        self.reservations = reservations
        self.ledger = ledger

    async def context_for(self, sales: Sequence[ApplySale]) -> SaleContext:
        applied = await self.ledger.already_applied([s.sale_id for s in sales])
        fresh = [s for s in sales if s.sale_id not in applied]
        if not fresh:
            return SaleContext(applied=applied)
        locations = await self.locations.many({s.location_id for s in fresh})
        hold_ids = [s.reservation_id for s in fresh if s.reservation_id]
        # The holds are read first without a lock to learn their SKUs, which are locked before them.
        peeked = await self.reservations.many(hold_ids, for_update=False) if hold_ids else {}
        skus = await self.skus.lock([*(sku for sku, _ in needs.stock_lines(fresh)), *needs.held_skus(peeked.values())])
        holds = await self.reservations.many(hold_ids) if hold_ids else {}
        units = await self.units.many([*needs.named_units(fresh), *needs.held_units(holds.values())], for_update=True)
        keys = needs.stock_keys(fresh, holds, skus, locations)
        stock = await self.stock.many(keys) if keys else {}
        context = SaleContext(applied, locations, skus, dict(holds), dict(units), dict(stock))
        contested = needs.contested(fresh, units)
        if contested:
            await self._load_claims(context, fresh, contested)
        return context

    async def _load_claims(self, context: SaleContext, sales: Sequence[ApplySale], contested: dict[str, int]) -> None:
        """The holds and earlier sales a contested unit may be taken from, and the free units that
        may replace it for them."""
        context.holds.update(await self.reservations.holding(needs.contested_units(context.units.values(), contested)))
        earlier = await self.ledger.many(needs.claimed_by_sales(context.units.values(), contested))
        context.ledger.update(earlier)
        markets, places = needs.markets_and_places(sales, context.holds.values(), earlier.values())
        context.shipping = await self.locations.shipping(markets)
        places.update(location for ordered in context.shipping.values() for location in ordered)
        for unit in await self.units.candidates(contested, sorted(places)):
            context.units[unit.unit_id] = unit
