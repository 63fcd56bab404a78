"""Kafka subscribers: contract event -> command -> handler, nothing else.

One consumer group, `store-sync`, reads the catalog's SKUs and inventory's availability (the
feeds shops poll, never a call to those services), inventory's units (which reloop unit each IMEI
is, for partner tills), erasure requests and trade-in's answers to the tills' voucher holds. Each
handler joins the consuming transaction, so the processed-event record, the change and any event
it publishes commit together.

The subscription is generic over that transaction: the service binds it to a PostgreSQL
connection, the tests' twin to a memory transaction (`reloop_shared.memory_service`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, Event, catalog, inventory, privacy, trade_in
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import EventHandler, Subscription
from store_sync.adapters import translators
from store_sync.domain import commands
from store_sync.service_layer import erasure, hold_answers, projections
from store_sync.service_layer.ports import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

CONSUMER = "store-sync"
TOPICS = (catalog.SKUS, inventory.AVAILABILITY, inventory.UNITS, privacy.ERASURE, trade_in.VOUCHERS)

E = TypeVar("E", bound=Event)
C = TypeVar("C")
Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def _applies(
    translate: Callable[[E], C],
    handle: Callable[[C, StoreSyncUnitOfWork], Awaitable[object]],
    uow: Callable[[Tx], StoreSyncUnitOfWork],
) -> EventHandler[Tx]:
    async def on_event(event: E, _: EnvelopeHeader, tx: Tx) -> None:
        await handle(translate(event), uow(tx))

    return on_event


def subscription(
    uow: Callable[[Tx], StoreSyncUnitOfWork], sealer: Sealer, clock: Clock, *, max_attempts: int = 3
) -> Subscription[Tx]:
    """Store-sync's consumer; `uow` gives a unit of work joining the consuming transaction."""

    def forget(cmd: commands.EraseSubjects, unit: StoreSyncUnitOfWork) -> Awaitable[int]:
        return erasure.when_erasure_requested_forget_the_customer(cmd, unit, sealer, clock)

    handlers: dict[type[Event], EventHandler[Tx]] = {
        catalog.SkuListed: _applies(translators.listing, projections.record_listing, uow),
        catalog.SkuPriced: _applies(translators.price, projections.record_price, uow),
        catalog.SkuDiscontinued: _applies(translators.discontinued, projections.record_discontinued, uow),
        inventory.AvailabilityChanged: _applies(translators.availability, projections.record_availability, uow),
        inventory.UnitReceived: _applies(translators.unit_received, projections.record_unit, uow),
        privacy.ErasureRequested: _applies(translators.erasure, forget, uow),
        # The vouchers' other facts are skipped: store-sync reads only the answers to its holds.
        trade_in.VoucherHeld: _applies(translators.voucher_held, hold_answers.when_voucher_held_record_it, uow),
        trade_in.VoucherHoldRefused: _applies(translators.hold_refused, hold_answers.when_hold_refused_record_it, uow),
    }
    return Subscription.per_event(CONSUMER, TOPICS, handlers, max_attempts=max_attempts)
