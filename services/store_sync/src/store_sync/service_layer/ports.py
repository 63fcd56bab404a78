"""What the service layer needs from storage and from the key store, as protocols.

PostgreSQL implements them in `adapters/`, the tests' in-memory twin in `tests/fakes.py`; handlers
see only these. A repository that loads an aggregate for a change (a locked shop, a shipment)
tracks it on the unit of work, so what the aggregate records is published on commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from reloop_shared.http.pagination import Key
from store_sync.domain.collected_devices import CollectedDevice
from store_sync.domain.collection import Shipment
from store_sync.domain.commands import LocationCount
from store_sync.domain.days import DayTotals
from store_sync.domain.journal import ShopJournal, Submitted
from store_sync.domain.partner import SkuMapping
from store_sync.domain.policy import CustomerDataPolicy, Sealed
from store_sync.domain.shops import Operator, Shop
from store_sync.domain.voucher_holds import VoucherHold


class Operators(Protocol):
    async def get(self, operator_id: str, *, for_update: bool = False) -> Operator | None: ...

    async def add(self, operator: Operator) -> bool:
        """False when the id is taken."""
        ...

    async def set_policy(self, operator_id: str, policy: CustomerDataPolicy) -> None: ...


class Shops(Protocol):
    async def get(self, shop_id: str) -> Shop | None: ...

    async def lock(self, shop_id: str) -> Shop:
        """The shop, locked until commit (NotFound if there is none): one shop's uploads, replays
        and registry changes apply one after the other."""
        ...

    async def lock_of_operator(self, operator_id: str) -> list[Shop]:
        """Every shop of the operator, locked, in shop id order (one lock order everywhere)."""
        ...

    async def lock_all(self, shop_ids: Iterable[str]) -> list[Shop]:
        """These shops, locked in one statement, in shop id order (one lock order everywhere); an
        id with no shop is left out."""
        ...

    async def add(self, shop: Shop) -> bool:
        """False when the id is taken."""
        ...

    async def save_policy(self, shop: Shop) -> None: ...


class Credentials(Protocol):
    async def add(self, shop_id: str, key_id: str, key_hash: bytes) -> None: ...

    async def revoke(self, shop_id: str, key_id: str) -> bool:
        """False when the shop has no such active key."""
        ...


class Journal(Protocol):
    async def open(self, shop: Shop, batch: Sequence[Submitted]) -> ShopJournal:
        """The locked shop's journal for this upload: which of its ids (and of the sales its returns
        name) are on record, and which waiting returns its sales release."""
        ...

    async def save(self, journal: ShopJournal) -> None: ...

    async def days(self, shop: Shop, business_dates: Iterable[date]) -> dict[date, DayTotals]:
        """What is recorded of each of these business days of the shop."""
        ...


class PartnerMappings(Protocol):
    async def skus(self, operator_id: str, codes: Iterable[str]) -> dict[str, SkuMapping]: ...

    async def all_skus(self, operator_id: str, after: Key | None, limit: int) -> list[SkuMapping]:
        """At most `limit` of the operator's mappings by article code, the first after `after` (a code)."""
        ...

    async def map_sku(self, operator_id: str, mapping: SkuMapping, at: datetime) -> None: ...

    async def units(self, identifiers: Iterable[str]) -> dict[str, str]:
        """The reloop unit id of each device identifier (IMEI) inventory announced."""
        ...

    async def learn_unit(self, identifier: str, unit_id: str) -> None: ...


@dataclass(frozen=True)
class Quarantined:
    quarantine_id: int
    shop_id: str
    operator_id: str | None
    source: str
    ticket_key: str
    client_txn_id: str | None
    ticket: dict[str, Any]
    customer: dict[str, Any] | None
    reason: str
    field: str | None
    partner_sku: str | None
    status: str
    attempts: int
    business_date: date | None
    quarantined_at: datetime
    replayed_at: datetime | None
    outcome: str | None


@dataclass(frozen=True)
class ToQuarantine:
    shop_id: str
    operator_id: str | None
    source: str
    ticket_key: str
    client_txn_id: str | None
    ticket: dict[str, Any]
    customer: dict[str, Any] | None
    subject_id: str | None
    customer_id: str | None
    reason: str
    field: str | None
    partner_sku: str | None
    business_date: date | None


class Quarantine(Protocol):
    async def put(self, item: ToQuarantine, at: datetime) -> int:
        """Quarantine a ticket, or update the reason of its open entry (a ticket sent again)."""
        ...

    async def put_all(self, items: Sequence[ToQuarantine], at: datetime) -> list[int]:
        """`put` each ticket, in order; their quarantine ids."""
        ...

    async def resolve(self, outcomes: Sequence[tuple[str, str, str]], at: datetime) -> None:
        """Tickets (shop id, ticket key) that mapped at last, with what they became: their open
        entries close."""
        ...

    async def get(self, quarantine_id: int, *, for_update: bool = False) -> Quarantined | None: ...

    async def still_open(self, quarantine_ids: Sequence[int]) -> set[int]:
        """Which of these entries are open (read under their shops' locks, it stays so)."""
        ...

    async def open_items(
        self,
        *,
        operator_id: str | None = None,
        shop_id: str | None = None,
        after: Key | None = None,
        limit: int | None = None,
    ) -> list[Quarantined]:
        """Open entries, oldest first; with a `limit`, at most that many after `after` (a quarantine id)."""
        ...

    async def listing(
        self, *, operator_id: str | None, shop_id: str | None, status: str | None, after: Key | None, limit: int
    ) -> list[Quarantined]:
        """At most `limit` entries, newest first, the first older than `after` (a quarantine id)."""
        ...

    async def open_counts(self, shop_id: str, business_dates: Iterable[date]) -> dict[date, int]:
        """How many of the shop's tickets of each of these days wait in quarantine."""
        ...


class Shipments(Protocol):
    async def waiting(
        self, shop_id: str, *, for_update: bool = False, after: Key | None = None, limit: int | None = None
    ) -> list[CollectedDevice]:
        """Devices at the shop that no shipment took yet, in the order they were left there (by
        time, drop-off, unit); with a `limit`, at most that many after `after` (that order's key)."""
        ...

    async def get(self, shipment_id: str, *, for_update: bool = False) -> Shipment | None: ...

    async def add(self, shipment: Shipment) -> None: ...

    async def save_receipt(self, shipment: Shipment) -> None: ...


@dataclass(frozen=True)
class FeedItem:
    sku: str
    seq: int
    kind: str | None
    title: str | None
    grade: str | None
    discontinued: bool
    price: tuple[int, str, datetime] | None
    next_price: tuple[int, str, datetime] | None
    available_here: int
    available_from_warehouse: int


class Feed(Protocol):
    """The feeds shops poll, projected from the catalog's and inventory's events. Every change
    takes the next feed sequence number in commit order; a change that leaves a row as it was
    keeps its number."""

    async def listing(self, sku: str, kind: str, title: str, grade: str | None) -> None: ...

    async def discontinued(self, sku: str, at: datetime) -> None: ...

    async def price(self, sku: str, market: str, amount_minor: int, currency: str, effective_at: datetime) -> None: ...

    async def availability(self, sku: str, by_location: tuple[LocationCount, ...], as_of: datetime) -> None:
        """Inventory's latest picture of a SKU (an older one arriving late is ignored); a location
        missing from it has nothing available any more."""
        ...

    async def changes(self, shop_id: str, market: str, cursor: int, limit: int, now: datetime) -> list[FeedItem]:
        """What changed for this shop after `cursor`, oldest change first, one item per SKU."""
        ...


@dataclass(frozen=True)
class Erased:
    records: int
    subject_ids: list[str]


class PersonalRecords(Protocol):
    async def erase(self, subject_ids: Sequence[str], customer_ids: Sequence[str]) -> Erased:
        """Drop account ids and sealed blobs of these people; the subjects store-sync sealed for them."""
        ...


class VoucherHolds(Protocol):
    """Tills' voucher hold requests and trade-in's answers. A hold loaded or added is tracked on the
    unit of work (what it recorded is published on commit)."""

    async def get(self, shop_id: str, hold_id: str) -> VoucherHold | None:
        """The shop's hold by the till's own id."""
        ...

    async def by_request(self, request_id: str, *, for_update: bool = False) -> VoucherHold | None:
        """A hold by the id it carries on the bus (None: not a till's hold, or not ours)."""
        ...

    async def add(self, hold: VoucherHold) -> None: ...

    async def save_answer(self, hold: VoucherHold) -> None: ...


class Sealer(Protocol):
    """Seals contact details under their data subject's key; destroying the key erases them."""

    async def seal_all(self, requests: Sequence[tuple[str, dict[str, str]]]) -> dict[str, Sealed | None]:
        """Subject id -> sealed fields; None for a subject erased meanwhile (no key any more)."""
        ...

    async def open_all(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]:
        """Each one's fields, in order; None where its subject's key is gone (erased)."""
        ...

    async def destroy(self, subject_ids: Sequence[str]) -> int: ...
