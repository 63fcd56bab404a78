"""What the service layer needs of storage, one small protocol per thing stored. PostgreSQL
implements them (adapters/postgres) and so does the in-memory twin (tests/fakes.py).

Repositories of aggregates (units, stock, holds) keep one object per row in a transaction and
track it on the unit of work, which saves what changed on commit; `forget` drops what they hold
when the unit of work discards its changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from inventory.domain.allocation import SaleContext
from inventory.domain.catalog import SkuInfo
from inventory.domain.commands import ApplySale, Reserve
from inventory.domain.events import LocationAvailable
from inventory.domain.holding import HeldStock, HoldContext
from inventory.domain.ledger import AppliedSale, LineMove
from inventory.domain.locations import Location
from inventory.domain.reservations import Reservation
from inventory.domain.stock import AccessoryStock
from inventory.domain.transfers import Transfer
from inventory.domain.units import Unit
from reloop_shared.http.pagination import Key

CollectedDevice = tuple[str, str, str, str | None, str | None, str | None]
"""(unit_id, kind, source_id, sku, identifier_kind, identifier) of a device followed, not stock."""


class Locations(Protocol):
    async def get(self, location_id: str) -> Location | None: ...
    async def upsert(self, location: Location) -> None: ...
    async def eligible(self, market: str, location_id: str | None) -> list[str]:
        """The named location only, or else the market's shipping locations in order of preference."""
        ...

    async def all(self, after: Key | None, limit: int) -> list[Location]:
        """At most `limit` locations by id, the first after `after` (a location id)."""
        ...

    async def of_kind(self, kind: str) -> list[Location]:
        """Every location of a kind (the refurbishment centres, say), by id."""
        ...


class Skus(Protocol):
    async def get(self, sku: str) -> SkuInfo | None: ...
    async def lock(self, skus: Iterable[str]) -> dict[str, SkuInfo]:
        """The known SKUs among `skus`, their rows locked (every stock change of a SKU locks it first)."""
        ...

    async def kinds(self, skus: Iterable[str]) -> dict[str, str]:
        """sku -> kind of the known SKUs among `skus`."""
        ...

    async def upsert(self, sku: str, kind: str, grade: str | None, product_id: str) -> None: ...
    async def discontinue(self, sku: str) -> None: ...


class Units(Protocol):
    async def get(self, unit_id: str, *, for_update: bool = False) -> Unit | None: ...
    async def many(self, unit_ids: Sequence[str], *, for_update: bool = False) -> dict[str, Unit]: ...
    async def carrying(self, identifier: str) -> list[Unit]:
        """Every unit that ever carried `identifier` (one device's history), by unit id. Not locked:
        under a race the unique index over units still ours holds the rule (`add` answers
        IdentifierInStock, a save breaking it fails)."""
        ...

    async def carrying_any(self, identifiers: Sequence[str]) -> dict[str, list[Unit]]:
        """`carrying` for several identifiers at once (identifier -> its units)."""
        ...

    async def from_trade_in(self, trade_in_id: str) -> Unit | None:
        """The unit a trade-in's device became, if it is in stock already."""
        ...

    async def find_available(
        self, sku: str, location_ids: Sequence[str], *, exclude: Sequence[str] = (), limit: int = 1
    ) -> list[Unit]:
        """Available units of `sku` at `location_ids` (in that order of preference), locked."""
        ...

    async def add(self, unit: Unit) -> None: ...
    async def save(self, units: Sequence[Unit]) -> None: ...
    async def search(
        self, sku: str | None, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Unit]:
        """At most `limit` matching units by id, the first after `after` (a unit id)."""
        ...

    def forget(self) -> None: ...


class Stock(Protocol):
    async def get(self, sku: str, location_id: str) -> AccessoryStock:
        """The stock row, locked, created empty the first time an item is seen at a location."""
        ...

    async def many(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], AccessoryStock]:
        """The rows of (sku, location) pairs, as `get` reads one, locked in a fixed order."""
        ...

    async def free(self, skus: Iterable[str], location_ids: Sequence[str]) -> dict[tuple[str, str], AccessoryStock]:
        """The rows of `skus` at `location_ids` with stock free, locked in a fixed order."""
        ...

    async def save(self, stock: Sequence[AccessoryStock]) -> None: ...
    def forget(self) -> None: ...


class Reservations(Protocol):
    async def get(self, reservation_id: str, *, for_update: bool = True) -> Reservation | None: ...
    async def known(self, reservation_id: str) -> bool:
        """Whether the hold was confirmed or rejected already."""
        ...

    async def add(self, reservation: Reservation) -> None: ...
    async def save(self, reservation: Reservation) -> None: ...
    async def reject(self, reservation_id: str, reason: str) -> None: ...
    async def due(self, limit: int, now: datetime) -> list[str]:
        """Ids of active holds past their expiry at `now`, earliest first."""
        ...

    def forget(self) -> None: ...


class SalesLedger(Protocol):
    async def save(self, applied: Sequence[AppliedSale], moves: Sequence[LineMove]) -> None:
        """Record newly applied sales, and move lines of earlier ones (lines of a sale recorded in
        the same call are already as they should be)."""
        ...

    async def return_applied(self, return_id: str) -> bool: ...
    async def record_return(self, return_id: str, sale_id: str, location_id: str) -> None: ...


class SaleContexts(Protocol):
    async def context_for(self, sales: Sequence[ApplySale]) -> SaleContext:
        """Everything `sales` need to be decided, loaded and locked at once (see domain.sale_needs)."""
        ...


class HoldContexts(Protocol):
    async def for_request(self, cmd: Reserve) -> HoldContext:
        """Everything a hold request needs to be decided, loaded and locked at once."""
        ...

    async def held(self, reservation_ids: Sequence[str]) -> HeldStock:
        """The active holds among `reservation_ids` and what they hold, locked, to end them."""
        ...


class Transfers(Protocol):
    async def add(self, transfer_id: str, to_location_id: str, unit_ids: Sequence[str]) -> None: ...
    async def get(self, transfer_id: str) -> Transfer | None:
        """The transfer, locked."""
        ...

    async def mark_received(self, transfer_id: str) -> None: ...


class StockCounts(Protocol):
    async def exists(self, count_id: str) -> bool: ...
    async def add(self, count_id: str, location_id: str, reason: str, adjustments: list[dict[str, Any]]) -> None: ...


class Availability(Protocol):
    async def for_sku(self, sku: str, kind: str) -> list[LocationAvailable]: ...
    async def for_skus(self, kinds: Mapping[str, str]) -> dict[str, list[LocationAvailable]]:
        """Sellable stock per location of each SKU (sku -> kind): free units, or free accessories."""
        ...

    async def overview(self, market: str | None, after: Key | None, limit: int) -> list[tuple[str, str, int]]:
        """(sku, market, available) of at most `limit` SKUs and markets, by SKU then market, the
        first after `after` (a SKU and a market)."""
        ...


class CollectedDevices(Protocol):
    async def dispatched(self, shipment_id: str, to_location_id: str, devices: Sequence[CollectedDevice]) -> None: ...
    async def arrived(self, shipment_id: str, received: Sequence[str], missing: Sequence[str]) -> None: ...
    async def at(
        self, location_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[dict[str, Any]]:
        """At most `limit` collected devices by unit id, the first after `after` (a unit id)."""
        ...
