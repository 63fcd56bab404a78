"""Kafka subscribers: contract event -> command (adapters/translators) -> one handler, nothing else.

One consumer group, `orders`, reads the catalog's SKUs, inventory's availability, reservation
outcomes and sale allocations, trade-in's answers to its voucher holds, and privacy's erasure
requests. Each handler joins the consuming
transaction (the runtime records the event id in it), so every event has its effect exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from orders.adapters import translators
from orders.service_layer import erasure, projections, reservations, sale_allocations, voucher_holds
from orders.service_layer.ports import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts import REGISTRY, EnvelopeHeader, Event, Registry, TopicSpec, privacy
from reloop_contracts import catalog as catalog_contract
from reloop_contracts import inventory as inventory_contract
from reloop_contracts import trade_in as trade_in_contract
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import EventHandler, Subscription

CONSUMER = "orders"
READS = (
    catalog_contract.SkuListed,
    inventory_contract.AvailabilityChanged,
    inventory_contract.ReservationConfirmed,
    inventory_contract.SaleAllocated,
    trade_in_contract.VoucherHeld,
    privacy.ErasureRequested,
)
"""One event of each topic read; the registry says which topic carries it."""

E = TypeVar("E", bound=Event)
C = TypeVar("C")
Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def _applies(
    translate: Callable[[E], C],
    handle: Callable[[C, OrdersUnitOfWork], Awaitable[object]],
    uow: Callable[[Tx], OrdersUnitOfWork],
) -> EventHandler[Tx]:
    async def on_event(event: E, _: EnvelopeHeader, tx: Tx) -> None:
        await handle(translate(event), uow(tx))

    return on_event


def carrier(registry: Registry, event: type[Event]) -> TopicSpec:
    [topic] = [t for t in registry if t.carries(event)]
    return topic


def subscription(
    uow: Callable[[Tx], OrdersUnitOfWork],
    sealer: Sealer,
    clock: Clock,
    *,
    registry: Registry = REGISTRY,
    max_attempts: int = 3,
) -> Subscription[Tx]:
    """Orders' consumers; `uow` joins the consuming transaction."""
    handlers: dict[type[Event], EventHandler[Tx]] = {
        catalog_contract.SkuListed: _applies(translators.listing, projections.record_listing, uow),
        catalog_contract.SkuPriced: _applies(translators.price, projections.record_price, uow),
        catalog_contract.SkuDiscontinued: _applies(translators.discontinued, projections.record_discontinued, uow),
        inventory_contract.AvailabilityChanged: _applies(
            translators.availability, projections.record_availability, uow
        ),
        inventory_contract.ReservationConfirmed: _applies(
            translators.confirmed, lambda c, u: reservations.when_reservation_confirmed_take_payment(c, u, clock), uow
        ),
        inventory_contract.ReservationRejected: _applies(
            translators.rejected,
            lambda c, u: reservations.when_reservation_rejected_offer_substitutes(c, u, clock),
            uow,
        ),
        inventory_contract.ReservationEnded: _applies(
            translators.ended, lambda c, u: reservations.when_reservation_expired_cancel_the_order(c, u, clock), uow
        ),
        inventory_contract.ReservationReallocated: _applies(
            translators.reallocated,
            lambda c, u: reservations.when_reservation_reallocated_follow_the_unit(c, u, clock),
            uow,
        ),
        inventory_contract.ReservationBroken: _applies(
            translators.broken, lambda c, u: reservations.when_reservation_broken_drop_the_line(c, u, clock), uow
        ),
        inventory_contract.SaleAllocated: _applies(
            translators.allocated,
            lambda c, u: sale_allocations.when_sale_allocated_mark_stock_committed(c, u, clock),
            uow,
        ),
        inventory_contract.SaleLineReallocated: _applies(
            translators.sold_line_reallocated,
            lambda c, u: sale_allocations.when_sale_line_reallocated_follow_the_unit(c, u, clock),
            uow,
        ),
        inventory_contract.SaleUnallocated: _applies(
            translators.unallocated,
            lambda c, u: sale_allocations.when_sale_unallocated_refund_the_line(c, u, clock),
            uow,
        ),
        # The topic's other facts (issued, redeemed, ...) have no handler here: they are skipped.
        trade_in_contract.VoucherHeld: _applies(
            translators.voucher_held,
            lambda c, u: voucher_holds.when_voucher_held_take_payment_if_all_is_held(c, u, clock),
            uow,
        ),
        trade_in_contract.VoucherHoldRefused: _applies(
            translators.voucher_refused,
            lambda c, u: voucher_holds.when_voucher_refused_fail_the_order(c, u, clock),
            uow,
        ),
        privacy.ErasureRequested: _applies(
            translators.erasure,
            lambda c, u: erasure.when_erasure_requested_forget_the_customer(c, u, sealer, clock),
            uow,
        ),
    }
    topics = [carrier(registry, event) for event in READS]
    return Subscription.per_event(CONSUMER, topics, handlers, max_attempts=max_attempts)
