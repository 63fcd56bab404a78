"""Kafka subscribers: contract event -> command -> handler, nothing else.

One consumer group, `trade-in`, reads the shops' drop-offs (a trade-in bought at a shop becomes a
trade-in settled there; repairs are not ours and are skipped) and the sales paid with vouchers
(`voucher_consumers`, a batch's sales redeemed together). Each handler joins the consuming
transaction, so the processed-event record, the change and its events commit together; an event
the rules refuse (an IMEI that is none) goes to the dead-letter topic with the reason.

The subscription is generic over that transaction: the service binds it to a PostgreSQL
connection, the tests' twin to a memory transaction (`reloop_shared.memory_service`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, Event, sales, store
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import Subscription
from trade_in.adapters import translators
from trade_in.entrypoints import voucher_consumers
from trade_in.service_layer.intake import when_trade_in_dropped_off_record_it_settled
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

CONSUMER = "trade-in"
TOPICS = (store.DROP_OFFS, *voucher_consumers.TOPICS)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def subscription(uow: Callable[[Tx], TradeInUnitOfWork], clock: Clock, *, max_attempts: int = 3) -> Subscription[Tx]:
    """Trade-in's one consumer; `uow` gives a unit of work joining the consuming transaction."""

    async def on_drop_off(event: store.TradeInDroppedOff, _: EnvelopeHeader, tx: Tx) -> None:
        await when_trade_in_dropped_off_record_it_settled(translators.shop_trade_in(event), uow(tx))

    drop_offs = Subscription[Tx].per_event(
        CONSUMER, (store.DROP_OFFS,), {store.TradeInDroppedOff: on_drop_off}, max_attempts=max_attempts
    )
    apply = voucher_consumers.applying_sales_together(uow, clock, others=drop_offs.apply)
    accepts: list[type[Event]] = [*drop_offs.accepts, sales.SaleRecorded]
    return Subscription.batched(CONSUMER, TOPICS, accepts, apply, max_attempts=max_attempts)
