"""The in-memory twin of orders' storage, for unit tests (a plain module: import what you use).

`OrdersTables` are orders' tables as dicts; the repositories over them keep what the SQL ones
keep: the same unique keys, the same answers, a loaded aggregate is a copy (a change not saved is
not kept), the account id and contact details written once, and orders tracked on the unit of
work exactly where `PostgresOrders` tracks them. The payment ledger lives in the same tables, so
its entries roll back with the order, as they do on PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from fastapi import FastAPI

from orders.adapters.local_payments import DeclineRules, LocalLedgerPaymentProvider
from orders.adapters.personal_data import ContactSealer
from orders.adapters.translators import to_contract
from orders.domain.cart import Cart, Listing
from orders.domain.events import DomainEvent
from orders.domain.model import Order
from orders.domain.payments import Authorization, PaymentProvider
from orders.entrypoints.consumers import subscription
from orders.entrypoints.http import routes
from orders.entrypoints.http.dependencies import HttpDependencies
from orders.service_layer.ports import Erased, OrderSummary, StorefrontSku
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts.amounts import Money, total
from reloop_localstack.testing import session_verifier
from reloop_shared.clock import FixedClock
from reloop_shared.http.app import create_edge
from reloop_shared.http.authentication import install_verifier
from reloop_shared.http.pagination import Key
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.memory_service import InMemoryService
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.personal_data import InMemoryKeyStore, PersonalDataSealer
from reloop_shared.recording import EventRecorder
from reloop_shared.unit_of_work import TrackedAggregates

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
RULES = DeclineRules(limit_minor=1_000_000)
A = TypeVar("A", Order, Cart)


class IntegrityError(Exception):
    """What PostgreSQL would refuse: a duplicate unique key, a row referencing nothing."""


@dataclass
class ListingRow:
    kind: str | None = None
    title: str | None = None
    listed_at: datetime | None = None
    discontinued_at: datetime | None = None


@dataclass
class OrdersTables:
    orders: dict[str, Order] = field(default_factory=dict)
    reservations: dict[str, str] = field(default_factory=dict)
    """reservation id -> order id, one row per attempt"""
    carts: dict[str, Cart] = field(default_factory=dict)
    checkout_requests: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Idempotency-Key -> (fingerprint, cart id, order id)"""
    listings: dict[str, ListingRow] = field(default_factory=dict)
    prices: dict[tuple[str, str, datetime], Money] = field(default_factory=dict)
    """(sku, market, effective at) -> price"""
    availability: dict[str, tuple[dict[str, int], datetime]] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    """customer id -> data subject id"""
    ledger_authorizations: dict[str, tuple[str, Authorization]] = field(default_factory=dict)
    ledger_captures: dict[str, tuple[str, Money]] = field(default_factory=dict)
    ledger_refunds: dict[str, tuple[str, str, Money]] = field(default_factory=dict)


def _copy(aggregate: A) -> A:
    """A copy as a fresh load or a fresh row would hold it: with nothing recorded."""
    recorder = getattr(aggregate, "recorder", None)
    memo = {id(recorder): EventRecorder[DomainEvent]()} if recorder is not None else {}
    return copy.deepcopy(aggregate, memo)


class InMemoryOrders:
    def __init__(self, tables: OrdersTables, seen: TrackedAggregates[DomainEvent]) -> None:
        self.tables = tables
        self.seen = seen

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        stored = self.tables.orders.get(order_id)
        if stored is None:
            return None
        order = _copy(stored)
        self.seen.append(order)
        return order

    async def for_reservation(self, reservation_id: str, *, for_update: bool = False) -> Order | None:
        order_id = self.tables.reservations.get(reservation_id)
        return await self.get(order_id, for_update=for_update) if order_id is not None else None

    async def for_hold(self, hold_id: str, *, for_update: bool = False) -> Order | None:
        orders = self.tables.orders.values()
        order_id = next((o.order_id for o in orders for v in o.vouchers if v.hold_id == hold_id), None)
        return await self.get(order_id, for_update=for_update) if order_id is not None else None

    async def awaiting_voucher_answers(self, now: datetime, limit: int) -> list[Order]:
        def due(order: Order) -> tuple[datetime, str]:
            assert order.vouchers_answer_by is not None
            return (order.vouchers_answer_by, order.order_id)

        waiting = [o for o in self.tables.orders.values() if o.vouchers_answer_by is not None]
        found = [await self.get(o.order_id) for o in sorted(waiting, key=due) if due(o)[0] <= now][:limit]
        return [order for order in found if order is not None]

    async def save(self, order: Order) -> None:
        if order not in self.seen:
            self.seen.append(order)
        row = _copy(order)
        row.updated_at = order.updated_at or order.created_at
        earlier = self.tables.orders.get(order.order_id)
        if earlier is None:
            if any(o.cart_id == order.cart_id for o in self.tables.orders.values()):
                raise IntegrityError(f"cart {order.cart_id} already has an order")
        else:
            # Written once at checkout: only erasure changes them afterwards.
            row.customer_id, row.contact = earlier.customer_id, earlier.contact
            # A payment row is never rewritten, only added.
            row.payments[: len(earlier.payments)] = earlier.payments
        others = {r.return_id for o in self.tables.orders.values() if o.order_id != order.order_id for r in o.returns}
        if others & {r.return_id for r in row.returns}:
            raise IntegrityError(f"order {order.order_id} names a return of another order")
        holds = {v.hold_id for o in self.tables.orders.values() if o.order_id != order.order_id for v in o.vouchers}
        if holds & {v.hold_id for v in row.vouchers}:
            raise IntegrityError(f"order {order.order_id} names a voucher hold of another order")
        if len({v.code_hash for v in row.vouchers}) != len(row.vouchers):
            raise IntegrityError(f"order {order.order_id} names a voucher twice")
        if any(v.refundable.amount_minor < 0 for v in row.vouchers):
            raise IntegrityError(f"order {order.order_id} puts more back on a voucher than it paid")
        self.tables.orders[order.order_id] = row
        self.tables.reservations.setdefault(order.reservation_id, order.order_id)


class InMemoryCarts:
    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def get(self, cart_id: str, *, for_update: bool = False) -> Cart | None:
        stored = self.tables.carts.get(cart_id)
        return _copy(stored) if stored is not None else None

    async def save(self, cart: Cart) -> None:
        row = _copy(cart)
        earlier = self.tables.carts.get(cart.cart_id)
        if earlier is not None:
            row.customer_id = earlier.customer_id  # only erasure changes it
        self.tables.carts[cart.cart_id] = row


class InMemoryCheckoutRequests:
    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def find(self, key: str) -> tuple[str, str] | None:
        found = self.tables.checkout_requests.get(key)
        return (found[0], found[2]) if found is not None else None

    async def record(self, key: str, fingerprint: str, cart_id: str, order_id: str) -> bool:
        if order_id not in self.tables.orders:
            raise IntegrityError(f"no order {order_id}")
        if key in self.tables.checkout_requests:
            return False
        self.tables.checkout_requests[key] = (fingerprint, cart_id, order_id)
        return True


class InMemoryPriceList:
    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def record_listing(self, sku: str, kind: str, title: str, listed_at: datetime) -> None:
        row = self.tables.listings.setdefault(sku, ListingRow())
        row.kind, row.title, row.listed_at = kind, title, listed_at

    async def record_price(self, sku: str, market: str, price: Money, effective_at: datetime) -> None:
        self.tables.prices[(sku, market, effective_at)] = price

    async def record_discontinued(self, sku: str, discontinued_at: datetime) -> None:
        self.tables.listings.setdefault(sku, ListingRow()).discontinued_at = discontinued_at

    async def record_availability(self, sku: str, by_market: Mapping[str, int], as_of: datetime) -> None:
        earlier = self.tables.availability.get(sku)
        if earlier is None or earlier[1] < as_of:
            self.tables.availability[sku] = (dict(by_market), as_of)

    async def skus(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, StorefrontSku]:
        return {sku: self._sku(sku, market, now) for sku in dict.fromkeys(skus)}

    async def listings(self, skus: Sequence[str], market: str, now: datetime) -> dict[str, Listing]:
        return {sku: view.listing for sku, view in (await self.skus(skus, market, now)).items()}

    def _sku(self, sku: str, market: str, now: datetime) -> StorefrontSku:
        listing = self.tables.listings.get(sku, ListingRow())
        prices = {at: p for (s, m, at), p in self.tables.prices.items() if (s, m) == (sku, market) and at <= now}
        by_market = self.tables.availability.get(sku, ({}, now))[0]
        return StorefrontSku(
            sku=sku,
            market=market,
            kind=listing.kind,
            title=listing.title,
            price=prices[max(prices)] if prices else None,
            discontinued=listing.discontinued_at is not None and listing.discontinued_at <= now,
            available=by_market.get(market),
        )


class InMemoryDataSubjects:
    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def of(self, customer_id: str, minted: str) -> str:
        if customer_id not in self.tables.subjects and minted not in self.tables.subjects.values():
            self.tables.subjects[customer_id] = minted
        return self.tables.subjects[customer_id]


class InMemoryCustomerRecords:
    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def erase(self, customer_ids: Sequence[str], subject_ids: Sequence[str], pseudonym: str) -> Erased:
        t = self.tables
        mapped = {c: s for c, s in t.subjects.items() if c in customer_ids or s in subject_ids}
        accounts, subjects = {*customer_ids, *mapped}, {*subject_ids, *mapped.values()}
        carts = [cart for cart in t.carts.values() if cart.customer_id in accounts]
        for cart in carts:
            cart.customer_id = pseudonym
        for customer_id in mapped:
            del t.subjects[customer_id]
        orders = [
            o
            for o in t.orders.values()
            if o.customer_id in accounts or (o.contact is not None and o.contact.subject_id in subjects)
        ]
        sealed = [o.contact.subject_id for o in orders if o.contact is not None]
        for order in orders:
            order.customer_id, order.payment_token, order.contact = pseudonym, None, None
        order_ids = {o.order_id for o in orders}
        for key in [k for k, (_, _, order_id) in t.checkout_requests.items() if order_id in order_ids]:
            del t.checkout_requests[key]
        minted = sorted({*mapped.values(), *sealed})
        # The twin has no relay: none of its outbox rows is published, and unpublished rows stay.
        return Erased(len(carts) + len(orders) + len(sealed) + len(mapped), minted, published_events=0)


class InMemoryLedger:
    """The local payment provider's books in the tables, with the same answers as the SQL ledger."""

    def __init__(self, tables: OrdersTables) -> None:
        self.tables = tables

    async def approved_authorization(self, order_id: str) -> Authorization | None:
        found = self.tables.ledger_authorizations.values()
        return next((a for o, a in found if o == order_id and a.approved), None)

    async def authorization(self, authorization_id: str) -> Authorization | None:
        found = self.tables.ledger_authorizations.get(authorization_id)
        return found[1] if found else None

    async def add_authorization(self, order_id: str, authorization: Authorization) -> None:
        if authorization.authorization_id in self.tables.ledger_authorizations or (
            authorization.approved and await self.approved_authorization(order_id) is not None
        ):
            raise IntegrityError(f"order {order_id} is authorised already")
        self.tables.ledger_authorizations[authorization.authorization_id] = (order_id, authorization)

    async def captured(self, authorization_id: str) -> Money:
        currency = self.tables.ledger_authorizations[authorization_id][1].amount.currency
        captures = self.tables.ledger_captures.values()
        return total([amount for a, amount in captures if a == authorization_id], currency)

    async def add_capture(self, capture_id: str, authorization_id: str, amount: Money) -> None:
        if capture_id in self.tables.ledger_captures or authorization_id not in self.tables.ledger_authorizations:
            raise IntegrityError(f"capture {capture_id} is a duplicate or of no authorisation")
        self.tables.ledger_captures[capture_id] = (authorization_id, amount)

    async def capture_amount(self, capture_id: str) -> Money | None:
        found = self.tables.ledger_captures.get(capture_id)
        return found[1] if found else None

    async def refund_for(self, capture_id: str, reference: str) -> str | None:
        refunds = self.tables.ledger_refunds.items()
        return next((r for r, (c, ref, _) in refunds if c == capture_id and ref == reference), None)

    async def refunded(self, capture_id: str) -> Money:
        currency = self.tables.ledger_captures[capture_id][1].currency
        refunds = self.tables.ledger_refunds.values()
        return total([amount for c, _, amount in refunds if c == capture_id], currency)

    async def add_refund(self, refund_id: str, capture_id: str, reference: str, amount: Money) -> None:
        if await self.refund_for(capture_id, reference) is not None or capture_id not in self.tables.ledger_captures:
            raise IntegrityError(f"refund {reference} of {capture_id} is a duplicate or of no capture")
        self.tables.ledger_refunds[refund_id] = (capture_id, reference, amount)


def local_ledger(tables: OrdersTables) -> PaymentProvider:
    return LocalLedgerPaymentProvider(InMemoryLedger(tables), RULES)


class InMemoryOrdersUnitOfWork(InMemoryUnitOfWork[DomainEvent, OrdersTables], OrdersUnitOfWork):
    def __init__(
        self,
        *,
        store: MemoryStore[OrdersTables] | None = None,
        transaction: MemoryTransaction[OrdersTables] | None = None,
        payments: Callable[[OrdersTables], PaymentProvider] = local_ledger,
    ) -> None:
        super().__init__(OutboxWriter("orders"), to_contract, store=store, transaction=transaction)
        self._payments = payments

    def bind(self, tables: OrdersTables) -> None:
        self.orders = InMemoryOrders(tables, self.seen)
        self.carts = InMemoryCarts(tables)
        self.checkouts = InMemoryCheckoutRequests(tables)
        self.price_list = InMemoryPriceList(tables)
        self.subjects = InMemoryDataSubjects(tables)
        self.personal = InMemoryCustomerRecords(tables)
        self.payments = self._payments(tables)


class InMemoryOrdersReads:
    """The HTTP API's reads on the twin's committed state."""

    def __init__(self, store: MemoryStore[OrdersTables]) -> None:
        self.store = store

    async def order(self, order_id: str) -> Order | None:
        untracked: TrackedAggregates[DomainEvent] = TrackedAggregates([])
        return await InMemoryOrders(self.store.tables, untracked).get(order_id)

    async def orders_of(self, customer_id: str, after: Key | None, limit: int) -> list[OrderSummary]:
        def newest_first(order: Order) -> tuple[datetime, str]:
            return (order.created_at, order.order_id)

        theirs = sorted(
            (o for o in self.store.tables.orders.values() if o.customer_id == customer_id),
            key=newest_first,
            reverse=True,
        )
        return [
            OrderSummary(o.order_id, o.status.value, o.market, o.created_at, o.placed_at, o.total)
            for o in theirs
            if after is None or newest_first(o) < after
        ][:limit]

    async def cart(self, cart_id: str, now: datetime) -> tuple[Cart, dict[str, StorefrontSku]] | None:
        cart = await InMemoryCarts(self.store.tables).get(cart_id)
        if cart is None:
            return None
        return cart, await InMemoryPriceList(self.store.tables).skus(
            [line.sku for line in cart.lines], cart.market, now
        )

    async def storefront_sku(self, sku: str, market: str, now: datetime) -> StorefrontSku:
        return (await InMemoryPriceList(self.store.tables).skus([sku], market, now))[sku]


class OrdersTwin:
    """Orders on the in-memory twin: its store, a real sealer on an in-memory key store, a fixed clock."""

    def __init__(self, payments: Callable[[OrdersTables], PaymentProvider] = local_ledger) -> None:
        self.store = MemoryStore(OrdersTables())
        self.keys = InMemoryKeyStore()
        self.personal_data = PersonalDataSealer(self.keys)
        self.sealer = ContactSealer(self.personal_data)
        self.clock = FixedClock(NOW)
        self.reads = InMemoryOrdersReads(self.store)
        self.payments = payments

    @property
    def tables(self) -> OrdersTables:
        return self.store.tables

    def uow(self) -> InMemoryOrdersUnitOfWork:
        return InMemoryOrdersUnitOfWork(store=self.store, payments=self.payments)

    def http(self) -> HttpDependencies:
        return HttpDependencies(self.uow, self.reads, self.sealer, self.clock)

    def app(self) -> FastAPI:
        """Orders' routes, their guards and the shared error mapping, without the runtime (no
        database, no relay): what `create_app` serves, minus operations. It trusts this test
        session's token issuer (`customer_headers`, `staff_headers`), as the service under test does."""
        app = create_edge(title="orders on its twin", routers=[routes(self.http())])
        install_verifier(app, session_verifier())
        return app

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app()), base_url="http://orders")


def consuming_service(twin: OrdersTwin) -> InMemoryService[OrdersTables, InMemoryOrdersUnitOfWork]:
    """Orders' consumers on faststream's in-memory broker and the twin's store."""

    def joining(tx: MemoryTransaction[OrdersTables]) -> InMemoryOrdersUnitOfWork:
        return InMemoryOrdersUnitOfWork(transaction=tx, payments=twin.payments)

    consumers = subscription(joining, twin.sealer, twin.clock)
    return InMemoryService(twin.store, [consumers], lambda store: InMemoryOrdersUnitOfWork(store=store))
