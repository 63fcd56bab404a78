"""Sales paid with vouchers, from both channels: `SaleRecorded` -> `RedeemForSale` -> handler.

A shop sale and an online order are the same event; a voucher payment line names its voucher by
the code's hash (`voucher_code_hash`; events written before it carry the code in clear, hashed here
the same way) and, when the checkout or the till got a hold for it, the hold id as its `reference`. A sale with no
voucher line is not trade-in's business and changes nothing. A batch's sales are redeemed
together, in one load, one decision and one save. The handler joins the consuming transaction, so
the processed-event record, the ledger entries and the events they raise commit together: a sale
delivered again is skipped by the engine, and if it gets past it (published twice) the ledger's
one-redemption-per-sale rule still redeems it once, in another batch or the same one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from reloop_contracts import sales
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_shared.clock import Clock
from reloop_shared.consumer.subscription import BatchHandler, Delivery, Subscription
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


def _voucher_named(line: sales.PaymentLine) -> str:
    """The hash the line names its voucher by: sent as such now, or the deprecated clear code of an
    event written before (a line naming neither matches no voucher and is told as an unknown code)."""
    return line.voucher_code_hash or voucher_code_hash(line.voucher_code or "")


def applying_sales_together(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork], clock: Clock, others: BatchHandler[Tx] | None = None
) -> BatchHandler[Tx]:
    """A consumer batch's sales redeemed together (`vouchers.redeem_for_sales`: one load, one
    decision, one save), and its other events handed to `others`, in order. A batch is one
    partition of one topic, so sales and the events of other topics never share one and the sales
    keep their order among themselves."""

    async def apply(deliveries: Sequence[Delivery], tx: Tx) -> None:
        paid: list[vouchers.SaleToRedeem] = []
        rest: list[Delivery] = []
        for delivery in deliveries:
            if not isinstance(delivery.event, sales.SaleRecorded):
                rest.append(delivery)
            elif (command := redemption(delivery.event)) is not None:
                cause = (delivery.envelope.correlation_id, str(delivery.event_id), delivery.headers)
                paid.append(vouchers.SaleToRedeem(command, *cause))
        await vouchers.redeem_for_sales(paid, unit_of_work(tx), clock)
        if rest and others is not None:
            await others(rest, tx)

    return apply


def subscription(
    unit_of_work: Callable[[Tx], VoucherUnitOfWork], clock: Clock, *, max_attempts: int = 3
) -> Subscription[Tx]:
    """Vouchers' consumer of sales on its own, for a service (or a test) with no other subscription;
    the trade-in service's one consumer group applies its sales the same way (`consumers.py`)."""
    apply = applying_sales_together(unit_of_work, clock)
    return Subscription.batched(CONSUMER, TOPICS, [sales.SaleRecorded], apply, max_attempts=max_attempts)
