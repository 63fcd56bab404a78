"""Sales paid with vouchers, from both channels: `SaleRecorded` -> `RedeemForSale` -> handler.

A shop sale and an online order are the same event; a voucher payment line names its code and,
when the checkout or the till got a hold for it, the hold id as its `reference`. A sale with no
voucher line is not trade-in's business and changes nothing. The handler joins the consuming
transaction, so the processed-event record, the ledger entries and the events they raise commit
together: a sale delivered again is skipped by the engine, and if it gets past it (published twice)
the ledger's one-redemption-per-sale rule still redeems it once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TypeVar

from reloop_contracts import EnvelopeHeader, Event, sales
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import BatchHandler, Delivery, EventHandler, Subscription
from trade_in.domain.vouchers import RedeemForSale, VoucherPayment
from trade_in.service_layer import vouchers
from trade_in.service_layer.voucher_ports import VoucherUnitOfWork

CONSUMER = "trade-in"
TOPICS = (sales.TRANSACTIONS,)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def redemption(sale: sales.SaleRecorded) -> RedeemForSale | None:
    """The sale's voucher payments as a command; None when it paid with no voucher."""
    payments = tuple(
        VoucherPayment(line.voucher_code or "", line.amount.value(), line.reference)
        for line in sale.payments
        if line.method == "voucher" and line.amount.amount_minor > 0
    )
    if not payments:
        return None
    return RedeemForSale(
        sale_id=sale.sale_id,
        channel=sale.channel,
        shop_id=None if sale.channel == "online" else sale.location_id,
        market=sale.market,
        basket=sale.total.value(),
        payments=payments,
        sold_at=sale.sold_at,
    )


def sale_handlers(unit_of_work: Callable[[Tx], VoucherUnitOfWork], clock: Clock) -> dict[type[Event], EventHandler[Tx]]:
    """The handlers of the sales topic, for the service's one subscription (`consumers.py`)."""

    async def on_sale(event: sales.SaleRecorded, _: EnvelopeHeader, tx: Tx) -> None:
        command = redemption(event)
        if command is not None:
            await vouchers.redeem_for_sale(command, unit_of_work(tx), clock)

    return {sales.SaleRecorded: on_sale}


def locking_vouchers_first(
    apply: BatchHandler[Tx], unit_of_work: Callable[[Tx], VoucherUnitOfWork]
) -> BatchHandler[Tx]:
    """`apply`, after locking every voucher the batch's sales pay with in one fixed order: the
    consumer applies each partition's batch in one transaction, partitions at once."""

    async def apply_locked(deliveries: Sequence[Delivery], tx: Tx) -> None:
        sales_paid = [d.event for d in deliveries if isinstance(d.event, sales.SaleRecorded)]
        await vouchers.lock_for_sales([c for c in map(redemption, sales_paid) if c is not None], unit_of_work(tx))
        await apply(deliveries, tx)

    return apply_locked


def subscription(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork], clock: Clock, *, max_attempts: int = 3
) -> Subscription[Tx]:
    """Vouchers' consumer of sales on its own, for a service (or a test) with no other subscription;
    the trade-in service merges `sale_handlers` into its one consumer group instead."""
    each = Subscription.per_event(CONSUMER, TOPICS, sale_handlers(unit_of_work, clock), max_attempts=max_attempts)
    return replace(each, apply=locking_vouchers_first(each.apply, unit_of_work))
