"""Kafka subscribers: contract event -> command -> handler, nothing else.

One consumer group, `trade-in`, reads the shops' drop-offs (a trade-in bought at a shop becomes a
trade-in settled there, one quoted online that a shop collected is on its way to the centre;
repairs are not ours and are skipped), the sales paid with vouchers and their returns refunded onto
them (`voucher_consumers`, a batch's sales and returns applied together, in order) and the checkouts'
and tills' voucher hold requests (`hold_request_consumers`, a batch's requests decided together).
Each handler joins the consuming
transaction, so the processed-event record, the change and its events commit together; an event
the rules refuse (an IMEI that is none, a collection of a trade-in that cannot be collected) goes
to the dead-letter topic with the reason.

The subscription is generic over that transaction: the service binds it to a PostgreSQL
connection, the tests' twin to a memory transaction (`reloop_shared.memory_service`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, Event, store
from reloop_contracts import trade_in as contract
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import Subscription
from trade_in.adapters import translators
from trade_in.domain.commands import CollectAtShop
from trade_in.domain.policy import TradeInPolicy
from trade_in.entrypoints import catalog_consumers, hold_request_consumers, voucher_consumers
from trade_in.service_layer.intake import (
    when_trade_in_dropped_off_collect_it,
    when_trade_in_dropped_off_record_it_settled,
)
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

CONSUMER = "trade-in"
TOPICS = (store.DROP_OFFS, *catalog_consumers.TOPICS, *voucher_consumers.TOPICS, *hold_request_consumers.TOPICS)
HOLD_FOR = TradeInPolicy().voucher_hold
REFUND_VALIDITY = TradeInPolicy().voucher_refund_validity

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def subscription(
    uow: Callable[[Tx], TradeInUnitOfWork],
    clock: Clock,
    *,
    hold_for: timedelta = HOLD_FOR,
    refund_validity: timedelta = REFUND_VALIDITY,
    max_attempts: int = 3,
) -> Subscription[Tx]:
    """Trade-in's one consumer; `uow` gives a unit of work joining the consuming transaction,
    `hold_for` is how long a voucher hold granted to a requester lasts and `refund_validity` how
    long store credit a return gives back stays spendable at least (the policy's)."""

    async def on_drop_off(event: store.TradeInDroppedOff, _: EnvelopeHeader, tx: Tx) -> None:
        command = translators.drop_off(event)
        if isinstance(command, CollectAtShop):
            await when_trade_in_dropped_off_collect_it(command, uow(tx))
        else:
            await when_trade_in_dropped_off_record_it_settled(command, uow(tx))

    drop_offs = Subscription[Tx].per_event(
        CONSUMER,
        (store.DROP_OFFS, *catalog_consumers.TOPICS),
        {store.TradeInDroppedOff: on_drop_off, **catalog_consumers.handlers(uow)},
        max_attempts=max_attempts,
    )
    # A batch is one partition of one topic: each of these takes its own events and hands on the rest.
    sales_then_drop_offs = voucher_consumers.applying_sales_together(
        uow, clock, others=drop_offs.apply, refund_validity=refund_validity
    )
    apply = hold_request_consumers.applying_holds_together(uow, clock, hold_for, others=sales_then_drop_offs)
    accepts: list[type[Event]] = [*drop_offs.accepts, *voucher_consumers.ACCEPTS, contract.VoucherHoldRequested]
    return Subscription.batched(CONSUMER, TOPICS, accepts, apply, max_attempts=max_attempts)
