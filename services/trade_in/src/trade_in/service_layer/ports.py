"""What the trade-in service layer needs of storage and of the outside world, as protocols:
PostgreSQL (adapters) and the in-memory twin (tests/fakes.py) both provide them, with the same
answers and the same refusals.

A trade-in a repository returns is the caller's own copy, tracked on the unit of work, so what it
records is published on commit; a change not saved is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from reloop_contracts.amounts import Money
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.pricing import GridEntry, GridKey
from trade_in.domain.trade_ins import Status, TradeIn


@dataclass(frozen=True)
class TradeInQuery:
    customer_id: str | None = None
    status: Status | None = None
    market: str | None = None
    shop_id: str | None = None


@dataclass(frozen=True)
class GradingAccuracy:
    shop_id: str
    checked: int
    accurate: int

    @property
    def rate(self) -> float | None:
        return self.accurate / self.checked if self.checked else None


@dataclass(frozen=True)
class DenyListEntry:
    identifier: DeviceIdentifier
    reason: str
    added_by: str
    added_at: datetime


class TradeIns(Protocol):
    async def get(self, trade_in_id: str, *, for_update: bool = False) -> TradeIn | None:
        """The trade-in; `for_update` holds it until the commit, so two requests on one trade-in
        (a double-clicked payout, a receipt racing a cancellation) are decided one after the other."""
        ...

    async def add(self, trade_in: TradeIn) -> None:
        """Store a new trade-in; `DeviceAlreadyOpen` when its device is in another open one."""
        ...

    async def save(self, trade_in: TradeIn) -> None:
        """Store the trade-in's new state and the history entries it gained."""
        ...

    async def open_with(self, identifier: DeviceIdentifier) -> str | None:
        """The id of the open trade-in of this device, if there is one."""
        ...

    async def by_drop_off(self, drop_off_id: str) -> TradeIn | None: ...

    async def due(self, at: datetime, limit: int) -> list[TradeIn]:
        """Trade-ins whose quote expired or whose counter-offer went unanswered by `at`, locked
        for this transaction and skipped by any other sweeping at the same time."""
        ...

    async def find(self, query: TradeInQuery, after: tuple[datetime, str] | None, limit: int) -> list[TradeIn]:
        """Newest first by (quoted_at, trade_in_id), after the key of the last one served."""
        ...

    async def grading_accuracy(self, shop_id: str) -> GradingAccuracy: ...


class PriceGrid(Protocol):
    async def get(self, key: GridKey) -> GridEntry | None: ...

    async def put(self, entry: GridEntry) -> None:
        """Set the entry of its key, replacing the one before."""
        ...

    async def find(
        self, market: str, model_family: str | None, after: tuple[str, int, str] | None, limit: int
    ) -> list[GridEntry]:
        """A market's entries by (model_family, storage_gb, grade)."""
        ...


class DeviceDenyList(Protocol):
    """Stolen or blacklisted devices. The local implementation is a table staff manage through the
    API; a real registry (GSMA's, an insurer's) can take its place behind this port."""

    async def check(self, identifier: DeviceIdentifier) -> str | None:
        """Why the device is listed, None when it is not."""
        ...

    async def add(self, entry: DenyListEntry) -> None: ...

    async def remove(self, identifier: DeviceIdentifier) -> bool:
        """Take the device off the list; False when it was not on it."""
        ...

    async def find(self, after: tuple[str, str] | None, limit: int) -> list[DenyListEntry]: ...


class Payouts(Protocol):
    """Bank transfers to customers. The local implementation is a ledger table; a payment
    provider can take its place. Idempotent by trade-in: asked twice, it pays once and answers the
    same reference."""

    async def transfer(self, trade_in_id: str, amount: Money, at: datetime) -> str: ...
