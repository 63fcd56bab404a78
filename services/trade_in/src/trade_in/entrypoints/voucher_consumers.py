"""Sales paid with vouchers, from both channels: `SaleRecorded` -> `RedeemForSale` -> handler; and
their returns refunded as store credit: `ReturnRecorded` -> `RefundToVoucher` -> the same handler.

A shop sale and an online order are the same event; a voucher payment line names its voucher by
the code's hash (`voucher_code_hash`; events written before it carry the code in clear, hashed here
the same way) and, when the checkout or the till got a hold for it, the hold id as its `reference`. A sale with no
voucher line is not trade-in's business and changes nothing. A batch's sales are redeemed
together, in one load, one decision and one save. The handler joins the consuming transaction, so
the processed-event record, the ledger entries and the events they raise commit together: a sale
delivered again is skipped by the engine, and if it gets past it (published twice) the ledger's
one-redemption-per-sale rule still redeems it once, in another batch or the same one.

A return's `refunds` lines of method voucher (by `voucher_code_hash`, as the sale's payment named
the voucher) put store credit back on those vouchers; a return with none (paid back otherwise, or
written before `refunds` existed) is not trade-in's business. Sales and returns share the topic and
its key (the sale id), so a batch decides them together in the order they came: a sale, then its
return. A return delivered again credits once (one refund per voucher and return).

A line of an online order that inventory could not serve after the sale is refunded the same way
(`OrderLineChanged`, change "dropped", on `orders.orders.v1`; the online sale's id is the order's,
the refund's id the line's). That topic is not the sales', so its order with the sale is not held
by a key: in the rare case the refund is read before the sale's redemption, nothing is paid yet
and the refund is kept as a shortfall for finance, as any refund beyond what was paid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from reloop_contracts import orders, sales
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import BatchHandler, Delivery, Subscription
from trade_in.domain.vouchers import RedeemForSale, RefundToVoucher, VoucherPayment, VoucherRefund
from trade_in.service_layer import vouchers
from trade_in.service_layer.voucher_ports import VoucherUnitOfWork

CONSUMER = "trade-in"
TOPICS = (sales.TRANSACTIONS, orders.ORDERS)
ACCEPTS = (sales.SaleRecorded, sales.ReturnRecorded, orders.OrderLineChanged)

Tx = TypeVar("Tx")
"""The consuming transaction: a PostgreSQL connection in the service, a memory transaction in tests."""


def redemption(sale: sales.SaleRecorded) -> RedeemForSale | None:
    """The sale's voucher payments as a command; None when it paid with no voucher."""
    payments = tuple(
        VoucherPayment(_voucher_named(line), line.amount.value(), line.reference)
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


def refund_onto_vouchers(returned: sales.ReturnRecorded) -> RefundToVoucher | None:
    """The return's refunds paid back as store credit, as a command; None when none was."""
    refunds = tuple(
        VoucherRefund(_voucher_named(line), line.amount.value())
        for line in returned.refunds
        if line.method == "voucher" and line.amount.amount_minor > 0
    )
    if not refunds:
        return None
    return RefundToVoucher(
        return_id=returned.return_id,
        sale_id=returned.sale_id,
        channel=returned.channel,
        shop_id=None if returned.channel == "online" else returned.location_id,
        refunds=refunds,
        returned_at=returned.returned_at,
    )


def refund_of_a_dropped_line(changed: orders.OrderLineChanged) -> RefundToVoucher | None:
    """A sold online line refunded because it could not be served, as a return of that line; None
    when nothing went back as store credit."""
    refunds = tuple(
        VoucherRefund(_voucher_named(line), line.amount.value())
        for line in changed.refunds
        if line.method == "voucher" and line.amount.amount_minor > 0
    )
    if changed.change != "dropped" or not refunds:
        return None
    return RefundToVoucher(
        return_id=f"{changed.order_id}/line/{changed.line_id}",
        sale_id=changed.order_id,
        channel="online",
        shop_id=None,
        refunds=refunds,
        returned_at=changed.changed_at,
    )


def _voucher_named(line: sales.PaymentLine) -> str:
    """The hash the line names its voucher by: sent as such now, or the deprecated clear code of an
    event written before (a line naming neither matches no voucher and is told as an unknown code)."""
    return line.voucher_code_hash or voucher_code_hash(line.voucher_code or "")


def applying_sales_together(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork],
    clock: Clock,
    others: BatchHandler[Tx] | None = None,
    *,
    refund_validity: timedelta = vouchers.REFUND_VALIDITY,
) -> BatchHandler[Tx]:
    """A consumer batch's sales and returns applied together, in their order
    (`vouchers.apply_sales_and_returns`: one load, one decision, one save), and its other events
    handed to `others`, in order. A batch is one partition of one topic, so sales and returns never
    share one with the events of other topics and keep their order among themselves."""

    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        batch: list[vouchers.SaleToRedeem | vouchers.ReturnToRefund] = []
        rest: list[Delivery] = []
        for delivery in deliveries:
            cause = (delivery.envelope.correlation_id, str(delivery.event_id), delivery.headers)
            if isinstance(delivery.event, sales.SaleRecorded):
                if (paid := redemption(delivery.event)) is not None:
                    batch.append(vouchers.SaleToRedeem(paid, *cause))
            elif isinstance(delivery.event, sales.ReturnRecorded):
                if (refunded := refund_onto_vouchers(delivery.event)) is not None:
                    batch.append(vouchers.ReturnToRefund(refunded, *cause))
            elif isinstance(delivery.event, orders.OrderLineChanged):
                if (dropped := refund_of_a_dropped_line(delivery.event)) is not None:
                    batch.append(vouchers.ReturnToRefund(dropped, *cause))
            else:
                rest.append(delivery)
        await vouchers.apply_sales_and_returns(batch, unit_of_work(tx), clock, refund_validity=refund_validity)
        if rest and others is not None:
            await others(rest, tx)

    return apply


def subscription(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork],
    clock: Clock,
    *,
    refund_validity: timedelta = vouchers.REFUND_VALIDITY,
    max_attempts: int = 3,
) -> Subscription[Tx]:
    """Vouchers' consumer of sales and returns on its own, for a service (or a test) with no other
    subscription; the trade-in service's one consumer group applies them the same way (`consumers.py`)."""
    apply = applying_sales_together(unit_of_work, clock, refund_validity=refund_validity)
    return Subscription.batched(CONSUMER, TOPICS, ACCEPTS, apply, max_attempts=max_attempts)
