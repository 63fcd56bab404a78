"""Contracts <-> orders' domain, in one place: domain events out, other services' events in as commands."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Literal, cast

from orders.domain import commands, customer, events
from orders.domain.lines import ReservedUnit, Substitute
from orders.domain.refunds import VoucherCredit
from reloop_contracts import Event, NonNegativeMoney, PositiveMoney
from reloop_contracts import catalog as catalog_contract
from reloop_contracts import inventory as inventory_contract
from reloop_contracts import orders as contract
from reloop_contracts import privacy as privacy_contract
from reloop_contracts import sales as sales_contract
from reloop_contracts import trade_in as trade_in_contract
from reloop_contracts.amounts import Money, total
from reloop_contracts.common import Consent, CustomerRef, ItemKind, SealedPersonalData
from reloop_contracts.orders import Fulfilment

CHANNEL = "online"
REQUESTER = "orders"

# The domain holds these as plain strings it has already checked; pydantic checks them again here.
LineChange = Literal["substituted", "dropped"]

# --- out: domain events -> contract events ----------------------------------------------------------


def _money(amount: Money) -> NonNegativeMoney:
    return NonNegativeMoney.of(amount)


def _customer(customer_id: str, contact: customer.SealedContact | None) -> CustomerRef:
    """The account, and the contact details given at checkout sealed, with their consent."""
    if contact is None:
        return CustomerRef(customer_id=customer_id)
    sealed = contact.sealed
    return CustomerRef(
        customer_id=customer_id,
        subject_id=contact.subject_id,
        personal=SealedPersonalData(
            key_id=sealed.key_id,
            algorithm=cast(Literal["AES-256-GCM"], sealed.algorithm),
            nonce=sealed.nonce,
            ciphertext=sealed.ciphertext,
        ),
        consent=_consent(contact.consent) if contact.consent is not None else None,
        data_owner="reloop",
    )


def _consent(consent: customer.Consent) -> Consent:
    return Consent(
        marketing=consent.marketing,
        partner_sharing=False,  # orders has no partner: the online customer is reloop's
        captured_at=consent.captured_at,
        captured_by=consent.captured_by,
    )


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    match event:
        case events.ReservationRequested():
            return [
                inventory_contract.ReservationRequested(
                    reservation_id=event.reservation_id,
                    channel=CHANNEL,
                    market=event.market,
                    lines=[
                        inventory_contract.RequestedLine(
                            line_id=line.line_id,
                            kind=cast(ItemKind, line.kind),
                            sku=line.sku,
                            quantity=line.quantity,
                            unit_id=line.unit_id,
                        )
                        for line in event.lines
                    ],
                    location_id=event.location_id,
                    hold_seconds=event.hold_seconds,
                    requested_at=event.at,
                )
            ]
        case events.ReservationReleaseRequested():
            return [
                inventory_contract.ReservationReleaseRequested(
                    reservation_id=event.reservation_id, reason=event.reason, requested_at=event.at
                )
            ]
        case events.VoucherHoldRequested():
            return [
                trade_in_contract.VoucherHoldRequested(
                    hold_id=event.hold_id,
                    code_hash=event.code_hash,
                    amount=PositiveMoney.of(event.amount),
                    market=event.market,
                    requested_by=REQUESTER,
                    reference=event.order_id,
                    requested_at=event.at,
                )
            ]
        case events.OrderPlaced():
            return _placed(event)
        case events.OrderCancelled():
            return [contract.OrderCancelled(order_id=event.order_id, reason=event.reason, cancelled_at=event.at)]
        case events.OrderLineChanged():
            return [
                contract.OrderLineChanged(
                    order_id=event.order_id,
                    line_id=event.line_id,
                    change=cast(LineChange, event.change),
                    unit_id=event.unit_id,
                    refunded=_money(event.refunded) if event.refunded else None,
                    refunds=_paid_back(event.store_credit, event.card_refund, event.card_refund_id),
                    changed_at=event.at,
                )
            ]
        case events.OrderFulfilled():
            return [
                contract.OrderFulfilled(
                    order_id=event.order_id,
                    fulfilment=cast(Fulfilment, event.fulfilment),
                    location_id=event.location_id,
                    tracking_reference=event.tracking_reference,
                    fulfilled_at=event.at,
                )
            ]
        case events.OrderDelivered():
            return [
                contract.OrderDelivered(
                    order_id=event.order_id, delivered_at=event.at, withdrawal_deadline=event.withdrawal_deadline
                )
            ]
        case events.ReturnRequested():
            return [
                contract.ReturnRequested(
                    order_id=event.order_id,
                    return_id=event.return_id,
                    line_ids=list(event.line_ids),
                    reason=event.reason,
                    within_withdrawal_period=True,  # the domain refuses any other
                    requested_at=event.at,
                )
            ]
        case events.ReturnReceived():
            return [_returned(event)]


def _placed(event: events.OrderPlaced) -> list[Event]:
    """An online order placed is also a sale, the same event a shop's till records."""
    total = _money(event.total)
    order = contract.OrderPlaced(
        order_id=event.order_id,
        customer_id=event.customer_id,
        market=event.market,
        fulfilment=cast(Fulfilment, event.fulfilment),
        pickup_location_id=event.pickup_location_id,
        lines=[
            contract.OrderLine(
                line_id=line.line_id,
                sku=line.sku,
                quantity=line.quantity,
                unit_id=line.unit_id,
                unit_price=_money(line.unit_price),
            )
            for line in event.lines
        ],
        total=total,
        placed_at=event.at,
    )
    sale = sales_contract.SaleRecorded(
        sale_id=event.order_id,
        channel=CHANNEL,
        location_id=event.location_id,
        market=event.market,
        sold_at=event.at,
        lines=[
            sales_contract.SaleLine(
                line_id=line.line_id,
                kind=cast(ItemKind, line.kind),
                sku=line.sku,
                unit_id=line.unit_id,
                quantity=line.quantity,
                unit_price=_money(line.unit_price),
            )
            for line in event.lines
        ],
        payments=_payments(event),
        total=total,
        customer=_customer(event.customer_id, event.contact),
        reservation_id=event.reservation_id,
    )
    return [order, sale]


def _payments(event: events.OrderPlaced) -> list[sales_contract.PaymentLine]:
    """One line per voucher (named by its code's hash and the hold the sale converts), then the
    card for the rest, if there is a rest: together they come to the total."""
    vouchers = [
        sales_contract.PaymentLine(
            method="voucher", amount=_money(v.amount), reference=v.hold_id, voucher_code_hash=v.code_hash
        )
        for v in event.vouchers
    ]
    if event.capture_id is None:
        return vouchers
    card = event.total - total([v.amount for v in event.vouchers], event.total.currency)
    return [*vouchers, sales_contract.PaymentLine(method="card", amount=_money(card), reference=event.capture_id)]


def _returned(event: events.ReturnReceived) -> Event:
    return sales_contract.ReturnRecorded(
        return_id=event.return_id,
        sale_id=event.order_id,
        channel=CHANNEL,
        location_id=event.location_id,
        market=event.market,
        returned_at=event.at,
        lines=[
            sales_contract.ReturnLine(
                line_id=line.line_id,
                kind=cast(ItemKind, line.kind),
                sku=line.sku,
                unit_id=line.unit_id,
                quantity=line.quantity,
                reason=line.reason,
                refund=_money(line.refund),
            )
            for line in event.lines
        ],
        customer=_customer(event.customer_id, event.contact),
        refunds=_refunds(event),
    )


def _refunds(event: events.ReturnReceived) -> list[sales_contract.PaymentLine]:
    return _paid_back(event.store_credit, event.card_refund, event.card_refund_id)


def _paid_back(
    store_credit: tuple[VoucherCredit, ...], card_refund: Money | None, card_refund_id: str | None
) -> list[sales_contract.PaymentLine]:
    """How a refund went back: one line per voucher credited (named by its hash and the hold the
    sale converted), then the card's refund, if any; together the refund."""
    vouchers = [
        sales_contract.PaymentLine(
            method="voucher", amount=_money(c.amount), reference=c.hold_id, voucher_code_hash=c.code_hash
        )
        for c in store_credit
    ]
    if card_refund_id is None or card_refund is None:
        return vouchers
    card = sales_contract.PaymentLine(method="card", amount=_money(card_refund), reference=card_refund_id)
    return [*vouchers, card]


# --- in: other services' events -> commands ---------------------------------------------------------


def listing(event: catalog_contract.SkuListed) -> commands.RecordListing:
    return commands.RecordListing(event.sku, event.kind, event.title, event.listed_at)


def price(event: catalog_contract.SkuPriced) -> commands.RecordPrice:
    return commands.RecordPrice(event.sku, event.market, event.price.value(), event.effective_at)


def discontinued(event: catalog_contract.SkuDiscontinued) -> commands.RecordDiscontinued:
    return commands.RecordDiscontinued(event.sku, event.discontinued_at)


def availability(event: inventory_contract.AvailabilityChanged) -> commands.RecordAvailability:
    by_market: dict[str, int] = defaultdict(int)
    for location in event.by_location:
        by_market[location.market] += location.available
    return commands.RecordAvailability(event.sku, tuple(sorted(by_market.items())), event.as_of)


def confirmed(event: inventory_contract.ReservationConfirmed) -> commands.ConfirmReservation:
    return commands.ConfirmReservation(
        event.reservation_id,
        tuple(ReservedUnit(line.line_id, line.unit_id, line.location_id) for line in event.lines),
    )


def rejected(event: inventory_contract.ReservationRejected) -> commands.RejectReservation:
    return commands.RejectReservation(
        event.reservation_id,
        event.reason,
        tuple(event.failed_lines),
        tuple(Substitute(s.line_id, s.sku, s.unit_id, s.location_id) for s in event.substitutes),
    )


def ended(event: inventory_contract.ReservationEnded) -> commands.EndReservation:
    return commands.EndReservation(event.reservation_id, event.outcome, event.reason)


def reallocated(event: inventory_contract.ReservationReallocated) -> commands.ReallocateReservedUnit:
    return commands.ReallocateReservedUnit(event.reservation_id, event.line_id, event.unit_id, event.location_id)


def broken(event: inventory_contract.ReservationBroken) -> commands.BreakReservedLine:
    return commands.BreakReservedLine(event.reservation_id, event.line_id, event.reason)


def allocated(event: inventory_contract.SaleAllocated) -> commands.CommitSaleStock:
    where = {line.line_id: line.location_id for line in event.lines}
    return commands.CommitSaleStock(
        event.sale_id,
        tuple(
            ReservedUnit(c.line_id, c.replacement_unit_id, where.get(c.line_id, event.location_id))
            for c in event.conflicts
            if c.resolution == "reallocated" and c.replacement_unit_id is not None
        ),
    )


def sold_line_reallocated(event: inventory_contract.SaleLineReallocated) -> commands.ReallocateSoldLine:
    return commands.ReallocateSoldLine(event.sale_id, event.line_id, event.unit_id, event.location_id)


def unallocated(event: inventory_contract.SaleUnallocated) -> commands.DropSoldLine:
    return commands.DropSoldLine(event.sale_id, event.line_id, event.reason)


def voucher_held(event: trade_in_contract.VoucherHeld) -> commands.RecordVoucherHold:
    return commands.RecordVoucherHold(event.hold_id, event.voucher_id, event.held_until, event.requested_by)


def voucher_refused(event: trade_in_contract.VoucherHoldRefused) -> commands.RecordVoucherRefusal:
    return commands.RecordVoucherRefusal(event.hold_id, event.voucher_id, event.reason, event.requested_by)


def erasure(event: privacy_contract.ErasureRequested) -> commands.EraseCustomer:
    return commands.EraseCustomer(event.request_id, tuple(event.customer_ids), tuple(event.subject_ids))
