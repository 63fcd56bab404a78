"""What the service layer needs from storage, named after what each one stores.

PostgreSQL implements these in `orders.adapters`, the in-memory twin in `tests/fakes.py`; both keep
the same invariants (unique keys, what a save keeps, which aggregates the unit of work tracks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from orders.domain.cart import Cart, Listing
from orders.domain.customer import Sealed
from orders.domain.model import Order
from reloop_contracts.amounts import Money
from reloop_shared.http.pagination import Key


class OrderRepository(Protocol):
    """Orders with their lines, payments, vouchers and returns; every reservation attempt and
    every voucher hold names its order."""

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        """The order, tracked by the unit of work; `for_update` serialises changes to it."""
        ...

    async def for_reservation(self, reservation_id: str, *, for_update: bool = False) -> Order | None:
        """The order that asked for this hold (any of its attempts)."""
        ...

    async def for_hold(self, hold_id: str, *, for_update: bool = False) -> Order | None:
        """The order that asked trade-in for this voucher hold."""
        ...

    async def awaiting_voucher_answers(self, now: datetime, limit: int) -> list[Order]:
        """Up to `limit` orders whose vouchers' answers were due by `now`, locked, earliest first;
        orders another transaction holds are left for the next sweep."""
        ...

    async def save(self, order: Order) -> None:
        """Keep the order (tracked, so what it recorded is published on commit). Its account id and
        contact details are kept as first saved: only erasure changes them."""
        ...


class CartRepository(Protocol):
    async def get(self, cart_id: str, *, for_update: bool = False) -> Cart | None: ...

    async def save(self, cart: Cart) -> None: ...


class CheckoutRequests(Protocol):
    """Checkout `Idempotency-Key`s: which order a key already created."""

    async def find(self, key: str) -> tuple[str, str] | None:
        """(fingerprint, order_id) of the checkout that used `key`, if any."""
        ...

    async def record(self, key: str, fingerprint: str, cart_id: str, order_id: str) -> bool:
        """False when another checkout took the key meanwhile (the unique key decides)."""
        ...


@dataclass(frozen=True)
class OrderSummary:
    """One line of a customer's list of orders: what it is worth now and where it stands."""

    order_id: str
    status: str
    market: str
    created_at: datetime
    placed_at: datetime | None
    total: Money
    """What the order's active lines come to (dropped and returned lines left out)."""


@dataclass(frozen=True)
class StorefrontSku:
    """What the storefront shows of one SKU in one market at one moment."""

    sku: str
    market: str
    kind: str | None
    title: str | None
    price: Money | None
    discontinued: bool
    available: int | None

    @property
    def listing(self) -> Listing:
        return Listing(self.sku, self.kind, self.price, self.discontinued)

    @property
    def known(self) -> bool:
        """The catalog said something about it: listed, priced or discontinued."""
        return self.kind is not None or self.price is not None or self.discontinued


class PriceList(Protocol):
    """The catalog's listings and prices and inventory's availability, as they arrived."""

    async def record_listing(self, sku: str, kind: str, title: str, listed_at: datetime) -> None: ...

    async def record_price(self, sku: str, market: str, price: Money, effective_at: datetime) -> None: ...

    async def record_discontinued(self, sku: str, discontinued_at: datetime) -> None: ...

    async def record_availability(self, sku: str, by_market: Mapping[str, int], as_of: datetime) -> None:
        """A full snapshot of the SKU: the newest wins, an older one changes nothing."""
        ...

    async def skus(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, StorefrontSku]:
        """Every SKU asked about (unknown ones too): its price in `market` now, whether it is still
        sold and how many can be had."""
        ...

    async def listings(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, Listing]: ...


class DataSubjects(Protocol):
    """Which data subject orders minted for an account."""

    async def of(self, customer_id: str, minted: str) -> str:
        """The account's subject; `minted` becomes it when the account has none yet."""
        ...


@dataclass(frozen=True)
class Erased:
    records: int
    """Account ids pseudonymised (carts and orders), sealed contact details and subject mappings dropped."""
    subject_ids: list[str]
    """The data subjects orders minted for these people: their keys are to be destroyed."""
    published_events: int
    """Orders' published events about these orders, dropped from the outbox."""


class CustomerRecords(Protocol):
    async def erase(self, customer_ids: Sequence[str], subject_ids: Sequence[str], pseudonym: str) -> Erased:
        """Forget the people with these accounts or data subjects (either may name them)."""
        ...


class Sealer(Protocol):
    """Seals contact details under their data subject's key, and destroys keys on erasure."""

    async def seal(self, subject_id: str, fields: dict[str, str]) -> Sealed | None:
        """None when the subject's key was destroyed (the subject was erased)."""
        ...

    async def destroy(self, subject_ids: Sequence[str]) -> int: ...


class OrdersReads(Protocol):
    """What the HTTP API shows: read without locks, each answer one consistent snapshot."""

    async def order(self, order_id: str) -> Order | None: ...

    async def orders_of(self, customer_id: str, after: Key | None, limit: int) -> list[OrderSummary]:
        """At most `limit` of the customer's orders, newest first (by creation, then id), the first
        older than `after` (a creation time and an order id)."""
        ...

    async def cart(self, cart_id: str, now: datetime) -> tuple[Cart, dict[str, StorefrontSku]] | None:
        """The cart with what each of its SKUs costs and how many are available right now."""
        ...

    async def storefront_sku(self, sku: str, market: str, now: datetime) -> StorefrontSku: ...
