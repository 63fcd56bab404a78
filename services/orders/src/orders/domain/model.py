"""The online order: from checkout through the reservation outcome and payment to delivery and
returns. Plain Python: no I/O, no async. Each change checks its rules and records domain events.

Transitions asked for over HTTP raise when they are not allowed. Transitions driven by inventory's
events never raise for a late or stale event (an older reservation attempt, a cancelled order):
they report that nothing applied, because a consumer that raised would dead-letter a valid event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from orders.domain import events
from orders.domain.cart import PricedLine
from orders.domain.customer import SealedContact
from orders.domain.errors import (
    InvalidCheckout,
    InvalidReturn,
    InvalidSubstitute,
    NotFound,
    ReservationMismatch,
    WrongState,
)
from orders.domain.lines import (
    LineStatus,
    OrderLine,
    OrderStatus,
    PaymentKind,
    PaymentRecord,
    RefundDue,
    ReservedUnit,
    ReturnRequest,
    ReturnStatus,
    Substitute,
)
from orders.domain.payments import Authorization
from orders.domain.refunds import split_refund
from orders.domain.rules import (
    CHECKOUT_HOLD_SECONDS,
    DEVICE,
    check_fulfilment,
    check_line_quantity,
    check_payment_method,
    check_within_withdrawal_period,
    sale_location,
    withdrawal_deadline,
)
from orders.domain.vouchers import (
    VOUCHER_ANSWER_TIMEOUT,
    VoucherPayment,
    VoucherState,
    VoucherToApply,
    check_vouchers,
    hold_id,
    voucher_shares,
)
from reloop_contracts.amounts import Money, total
from reloop_shared.recording import EventRecorder


@dataclass
class Order:
    order_id: str
    cart_id: str
    customer_id: str
    market: str
    fulfilment: str
    pickup_location_id: str | None
    lines: list[OrderLine]
    created_at: datetime
    status: OrderStatus = OrderStatus.RESERVING
    reservation_id: str = ""
    reservation_attempt: int = 1
    payment_token: str | None = None
    location_id: str | None = None
    unavailable_lines: list[str] = field(default_factory=list)
    substitutes: list[Substitute] = field(default_factory=list)
    payments: list[PaymentRecord] = field(default_factory=list)
    returns: list[ReturnRequest] = field(default_factory=list)
    stock_committed: bool = False
    cancel_reason: str | None = None
    tracking_reference: str | None = None
    placed_at: datetime | None = None
    cancelled_at: datetime | None = None
    fulfilled_at: datetime | None = None
    delivered_at: datetime | None = None
    withdrawal_deadline: datetime | None = None
    updated_at: datetime | None = None
    contact: SealedContact | None = None
    vouchers: list[VoucherPayment] = field(default_factory=list)
    vouchers_answer_by: datetime | None = None
    """The durable deadline for trade-in's answers to the vouchers' holds; None once none is awaited."""
    recorder: EventRecorder[events.DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def checkout(
        cls,
        order_id: str,
        cart_id: str,
        customer_id: str,
        market: str,
        lines: Sequence[PricedLine],
        fulfilment: str,
        pickup_location_id: str | None,
        payment_method: str | None,
        payment_token: str | None,
        now: datetime,
        *,
        vouchers: Sequence[VoucherToApply] = (),
        voucher_timeout: timedelta = VOUCHER_ANSWER_TIMEOUT,
    ) -> Order:
        """Freeze the priced cart into an order, ask inventory to hold its stock (reservation = order
        id) and trade-in to hold each voucher's amount; the card, if any, pays the rest."""
        check_fulfilment(fulfilment, pickup_location_id)
        if payment_method is not None:
            check_payment_method(payment_method)
        for line in lines:
            check_line_quantity(line.kind, line.quantity)
        order = cls(
            order_id,
            cart_id,
            customer_id,
            market,
            fulfilment,
            pickup_location_id,
            [OrderLine(p.line_id, p.sku, p.kind, p.quantity, p.unit_price) for p in lines],
            now,
            reservation_id=order_id,
            payment_token=payment_token,
            updated_at=now,
        )
        check_vouchers(vouchers, order.total)
        order.vouchers = [
            VoucherPayment(hold_id(order_id, n), v.code_hash, v.hint, v.amount) for n, v in enumerate(vouchers)
        ]
        if order.card_amount.amount_minor > 0 and (payment_method is None or not payment_token):
            raise InvalidCheckout("the vouchers do not pay the whole order: a card pays the rest", field="payment")
        if order.card_amount.amount_minor == 0:
            order.payment_token = None  # no card is charged: a token is not kept for nothing
        order._request_reservation(now)
        order._request_voucher_holds(now, voucher_timeout)
        return order

    def capture_contact(self, contact: SealedContact) -> None:
        """The contact details given with the checkout, sealed: every sale and return of the order
        carries them (so CRM can recognise the customer across channels)."""
        if self.status is not OrderStatus.RESERVING or self.contact is not None:
            raise WrongState(f"order {self.order_id} takes contact details only at checkout", field="contact")
        self.contact = contact

    # --- reading -------------------------------------------------------------------------------

    @property
    def active_lines(self) -> list[OrderLine]:
        return [line for line in self.lines if line.active]

    @property
    def total(self) -> Money:
        return total([line.amount for line in self.active_lines], self.lines[0].unit_price.currency)

    @property
    def card_amount(self) -> Money:
        """What the card pays: the total less what the vouchers pay of it."""
        paid = [share for _, share in voucher_shares(self.vouchers, self.total)]
        return self.total - total(paid, self.total.currency)

    @property
    def awaits_vouchers(self) -> bool:
        return any(v.state is VoucherState.REQUESTED for v in self.vouchers)

    def payment_due(self) -> Money | None:
        """What to charge the card (zero when vouchers pay it all) once the stock is held and
        every voucher's amount is set aside; None until then, and once the order moved on."""
        stock_held = self.status is OrderStatus.RESERVING and self.location_id is not None
        if not stock_held or any(v.state is not VoucherState.HELD for v in self.vouchers):
            return None
        return self.card_amount

    @property
    def capture_id(self) -> str | None:
        return next((p.payment_id for p in self.payments if p.kind is PaymentKind.CAPTURE), None)

    def line(self, line_id: str) -> OrderLine:
        found = next((line for line in self.lines if line.line_id == line_id), None)
        if found is None:
            raise NotFound(f"order {self.order_id} has no line {line_id}", field="line_id")
        return found

    # --- reservation outcomes and payment -----------------------------------------------------

    def confirm_reservation(self, reservation_id: str, held: Sequence[ReservedUnit], now: datetime) -> Money | None:
        """Record which unit each line got; returns what to charge now (`payment_due`), or None for
        a stale confirmation or while vouchers are still unanswered."""
        if not self.awaits_stock(reservation_id):
            return None
        by_line = {unit.line_id: unit for unit in held}
        for line in self.active_lines:
            unit = by_line.get(line.line_id)
            if unit is None or (line.kind == DEVICE and unit.unit_id is None):
                raise ReservationMismatch(f"reservation {reservation_id} does not hold line {line.line_id}")
            line.unit_id, line.location_id = unit.unit_id, unit.location_id
        self.location_id = self.pickup_location_id or sale_location(self.active_lines)
        self.updated_at = now
        return self.payment_due()

    def payment_captured(self, authorization: Authorization, capture_id: str, now: datetime) -> None:
        due = self.payment_due()
        if due is None or due.amount_minor == 0:
            raise WrongState(f"order {self.order_id} is {self.status}, not awaiting a card payment", field="status")
        self.payments += [
            PaymentRecord(authorization.authorization_id, PaymentKind.AUTHORIZATION, authorization.amount, None, now),
            PaymentRecord(capture_id, PaymentKind.CAPTURE, authorization.amount, authorization.authorization_id, now),
        ]
        self._place(capture_id, now)

    def paid_with_vouchers(self, now: datetime) -> None:
        """The vouchers' holds cover the whole order: placed without a card."""
        due = self.payment_due()
        if due is None or due.amount_minor != 0:
            raise WrongState(f"order {self.order_id} is not paid by its vouchers alone", field="vouchers")
        self._place(None, now)

    def _place(self, capture_id: str | None, now: datetime) -> None:
        assert self.location_id is not None  # payment_due() holds only once the stock is held
        self.payment_token = None  # single use: never kept once spent
        shares = voucher_shares(self.vouchers, self.total)
        for voucher, share in shares:
            voucher.paid = share  # what a refund may put back on it later
        self.status, self.placed_at, self.updated_at = OrderStatus.PLACED, now, now
        self.recorder.record(
            events.OrderPlaced(
                self.order_id,
                self.customer_id,
                self.market,
                self.fulfilment,
                self.pickup_location_id,
                self.location_id,
                self.reservation_id,
                tuple(events.SoldLine.of(line) for line in self.active_lines),
                self.total,
                capture_id,
                now,
                self.contact,
                tuple(events.VoucherUsed(v.hold_id, v.code_hash, share) for v, share in shares),
            )
        )

    def payment_declined(self, authorization: Authorization, now: datetime) -> None:
        reason = authorization.decline_reason or "declined"
        self.payments.append(
            PaymentRecord(authorization.authorization_id, PaymentKind.DECLINED, authorization.amount, reason, now)
        )
        self.payment_token = None
        self.recorder.record(events.ReservationReleaseRequested(self.reservation_id, "payment_declined", now))
        self._end(OrderStatus.PAYMENT_FAILED, f"payment_declined: {reason}", now)

    # --- trade-in's answers to the vouchers' holds ------------------------------------------------

    def voucher_held(self, hold_id: str, voucher_id: str, held_until: datetime, now: datetime) -> bool:
        """Trade-in set the amount aside; False for an answer the order no longer waits for."""
        voucher = self._awaited_voucher(hold_id)
        if voucher is None:
            return False
        voucher.held(voucher_id, held_until, now)
        if not self.awaits_vouchers:
            self.vouchers_answer_by = None
        self.updated_at = now
        return True

    def voucher_refused(self, hold_id: str, voucher_id: str, reason: str, now: datetime) -> bool:
        """A voucher cannot pay: the order fails and gives its stock back, as a declined card does.
        Holds trade-in granted for its other vouchers lapse by themselves there."""
        voucher = self._awaited_voucher(hold_id)
        if voucher is None:
            return False
        voucher.refused(voucher_id, reason, now)
        self._fail_payment(f"voucher_refused:{reason}", now)
        return True

    def voucher_answers_overdue(self, now: datetime) -> bool:
        """Trade-in did not answer in time: give up, so the stock is not kept for nothing. A late
        answer then changes nothing (a hold granted late lapses by itself at trade-in)."""
        waiting = self.status in (OrderStatus.RESERVING, OrderStatus.STOCK_UNAVAILABLE) and self.awaits_vouchers
        if not waiting or self.vouchers_answer_by is None or now < self.vouchers_answer_by:
            return False
        self._fail_payment("voucher_no_answer", now)
        return True

    def reservation_rejected(
        self, reservation_id: str, failed_lines: Sequence[str], offered: Sequence[Substitute], now: datetime
    ) -> bool:
        """Nothing is held: wait for the customer to accept substitutes for the lines that failed, or cancel."""
        if not self._awaits(reservation_id):
            return False
        active = [line.line_id for line in self.active_lines]
        failed = [line_id for line_id in failed_lines if line_id in active] or active
        for line_id in failed:
            line = self.line(line_id)
            line.unit_id = line.location_id = None
        self.unavailable_lines = failed
        self.substitutes = [offer for offer in offered if offer.line_id in failed]
        self.status, self.updated_at = OrderStatus.STOCK_UNAVAILABLE, now
        return True

    def accept_substitute(self, line_id: str, unit_id: str | None, now: datetime) -> None:
        """Take an offered unit for a failed line; once every failed line has one, reserve again."""
        if self.status is not OrderStatus.STOCK_UNAVAILABLE:
            raise WrongState(f"order {self.order_id} is {self.status}: no substitutes to accept", field="status")
        if line_id not in self.unavailable_lines:
            raise InvalidSubstitute(f"line {line_id} is not waiting for a substitute", field="line_id")
        offers = [offer for offer in self.substitutes if offer.line_id == line_id]
        if not offers:
            raise InvalidSubstitute(f"no substitute was offered for line {line_id}", field="line_id")
        chosen = offers[0] if unit_id is None else next((o for o in offers if o.unit_id == unit_id), None)
        if chosen is None:
            raise InvalidSubstitute(f"unit {unit_id} was not offered for line {line_id}", field="unit_id")
        line = self.line(line_id)
        line.unit_id, line.location_id = chosen.unit_id, chosen.location_id
        self.unavailable_lines.remove(line_id)
        self.substitutes = [offer for offer in self.substitutes if offer.line_id != line_id]
        self.updated_at = now
        if not self.unavailable_lines:
            self.reservation_attempt += 1
            self.reservation_id = f"{self.order_id}-{self.reservation_attempt}"
            self.status = OrderStatus.RESERVING
            self._request_reservation(now)

    def reservation_expired(self, reservation_id: str, now: datetime) -> bool:
        """The hold lapsed before payment: the order cannot complete (the hold is already gone)."""
        if not self._awaits(reservation_id):
            return False
        self._end(OrderStatus.CANCELLED, "reservation_expired", now)
        return True

    def reservation_reallocated(
        self, reservation_id: str, line_id: str, unit_id: str, location_id: str, now: datetime
    ) -> bool:
        return reservation_id == self.reservation_id and self.reallocate(line_id, unit_id, location_id, now)

    def reservation_broken(self, reservation_id: str, line_id: str, reason: str, now: datetime) -> RefundDue | None:
        if reservation_id != self.reservation_id:
            return None
        return self.drop_line(line_id, reason, now)

    def reallocate(self, line_id: str, unit_id: str, location_id: str, now: datetime) -> bool:
        """Inventory moved a line to another unit of the same SKU; once sold, the customer is told."""
        line = next((line for line in self.active_lines if line.line_id == line_id), None)
        if line is None or line.unit_id == unit_id:
            return False
        if self.status not in (OrderStatus.RESERVING, OrderStatus.PLACED):
            return False  # nothing held any more, or the unit has already left the warehouse
        line.unit_id, line.location_id = unit_id, location_id
        self.updated_at = now
        if self.status is OrderStatus.PLACED:
            self.recorder.record(events.OrderLineChanged(self.order_id, line_id, "substituted", unit_id, None, now))
        return True

    def drop_line(self, line_id: str, reason: str, now: datetime) -> RefundDue | None:
        """A line lost its unit with no equivalent left. Before the sale it just goes (the order
        goes with its last line); after the sale it goes and is owed back (see `line_refunded`)."""
        line = next((line for line in self.active_lines if line.line_id == line_id), None)
        if line is None:
            return None
        if self.status is OrderStatus.RESERVING:
            line.status, self.updated_at = LineStatus.DROPPED, now
            if not self.active_lines:
                self._end(OrderStatus.CANCELLED, f"stock_unavailable: {reason}", now)
            return None
        if self.status in (OrderStatus.PLACED, OrderStatus.FULFILLED):
            line.status, self.updated_at = LineStatus.DROPPED, now
            return self._refund_due(f"{self.order_id}/line/{line_id}", line.amount, (line_id,))
        return None

    def line_refunded(self, due: RefundDue, refund_id: str | None, now: datetime) -> None:
        self._refunded(due, refund_id, now)
        for line_id in due.line_ids:
            self.recorder.record(
                events.OrderLineChanged(
                    self.order_id,
                    line_id,
                    "dropped",
                    None,
                    due.amount,
                    now,
                    due.split.vouchers,
                    due.split.card if refund_id is not None else None,
                    refund_id,
                )
            )
        if not self.active_lines:
            # Each refund is announced once, on the line it belongs to.
            self._end(OrderStatus.CANCELLED, "no_lines_left", now)

    def stock_committed_by_inventory(self, replacements: Sequence[ReservedUnit], now: datetime) -> bool:
        """Inventory applied the sale, maybe serving some lines with other units than reserved."""
        if self.status not in (OrderStatus.PLACED, OrderStatus.FULFILLED, OrderStatus.DELIVERED):
            return False
        self.stock_committed, self.updated_at = True, now
        for unit in replacements:
            if unit.unit_id is not None:
                self.reallocate(unit.line_id, unit.unit_id, unit.location_id, now)
        return True

    # --- customer and warehouse requests --------------------------------------------------------

    def cancel(self, now: datetime) -> None:
        """The customer gives up before the sale; a placed order is returned, not cancelled."""
        if self.status is OrderStatus.RESERVING:
            self.recorder.record(events.ReservationReleaseRequested(self.reservation_id, "cancelled_by_customer", now))
        elif self.status is not OrderStatus.STOCK_UNAVAILABLE:
            raise WrongState(f"order {self.order_id} is {self.status} and can no longer be cancelled", field="status")
        self._end(OrderStatus.CANCELLED, "cancelled_by_customer", now)

    def fulfil(self, tracking_reference: str | None, now: datetime) -> None:
        if self.status is not OrderStatus.PLACED:
            raise WrongState(f"order {self.order_id} is {self.status}, not placed", field="status")
        if not self.stock_committed:
            # Until inventory applied the sale a shop could still hand the same unit over.
            raise WrongState("inventory has not applied the sale yet", field="stock_committed")
        location_id = self.pickup_location_id or self.location_id
        assert location_id is not None  # a placed order always has its sale location
        self.status, self.fulfilled_at, self.updated_at = OrderStatus.FULFILLED, now, now
        self.tracking_reference = tracking_reference
        self.recorder.record(
            events.OrderFulfilled(self.order_id, self.fulfilment, location_id, tracking_reference, now)
        )

    def deliver(self, now: datetime) -> None:
        if self.status is not OrderStatus.FULFILLED:
            raise WrongState(f"order {self.order_id} is {self.status}, not fulfilled", field="status")
        self.status, self.delivered_at, self.updated_at = OrderStatus.DELIVERED, now, now
        self.withdrawal_deadline = withdrawal_deadline(now)
        self.recorder.record(events.OrderDelivered(self.order_id, now, self.withdrawal_deadline))

    def request_return(self, return_id: str, line_ids: Sequence[str], reason: str, now: datetime) -> ReturnRequest:
        if self.status is not OrderStatus.DELIVERED:
            raise WrongState(f"order {self.order_id} is {self.status}: nothing to return", field="status")
        check_within_withdrawal_period(self.delivered_at, self.withdrawal_deadline, now)
        pending = {line_id for r in self.returns if r.status is ReturnStatus.REQUESTED for line_id in r.line_ids}
        returnable = {line.line_id for line in self.active_lines} - pending
        wanted = tuple(dict.fromkeys(line_ids))
        if not wanted or not set(wanted) <= returnable:
            raise InvalidReturn(f"lines {sorted(set(wanted) - returnable)} cannot be returned", field="line_ids")
        request = ReturnRequest(return_id, wanted, reason, now)
        self.returns.append(request)
        self.updated_at = now
        self.recorder.record(events.ReturnRequested(self.order_id, return_id, wanted, reason, now))
        return request

    def receive_return(self, return_id: str) -> RefundDue:
        """The parcel is back: what the customer is owed for it."""
        request = self._return(return_id)
        if request.status is not ReturnStatus.REQUESTED:
            raise WrongState(f"return {return_id} was already received", field="return_id")
        amount = total([self.line(line_id).amount for line_id in request.line_ids], self.total.currency)
        return self._refund_due(f"{self.order_id}/return/{return_id}", amount, request.line_ids)

    def return_refunded(self, return_id: str, due: RefundDue, refund_id: str | None, now: datetime) -> None:
        """The refund went back as `due` split it: `refund_id` is the card's, None when the vouchers took it all."""
        request = self._return(return_id)
        request.received(due.split, refund_id, now)
        returned = [self.line(line_id) for line_id in request.line_ids]
        for line in returned:
            line.status = LineStatus.RETURNED
        self._refunded(due, refund_id, now)
        if not self.active_lines:
            self.status = OrderStatus.RETURNED
        self.updated_at = now
        assert self.location_id is not None
        self.recorder.record(
            events.ReturnReceived(
                self.order_id,
                return_id,
                self.customer_id,
                self.market,
                self.location_id,
                tuple(events.ReturnedLine.of(line, request.reason) for line in returned),
                now,
                self.contact,
                due.split.vouchers,
                due.split.card,
                refund_id,
            )
        )

    # --- internals ---------------------------------------------------------------------------------

    def _refund_due(self, reference: str, amount: Money, line_ids: tuple[str, ...]) -> RefundDue:
        return RefundDue(reference, split_refund(amount, self.vouchers), line_ids)

    def _refunded(self, due: RefundDue, refund_id: str | None, now: datetime) -> None:
        """Store credit is back on each voucher of the split; the card's refund, if any, is a payment."""
        by_hold = {voucher.hold_id: voucher for voucher in self.vouchers}
        for credit in due.split.vouchers:
            by_hold[credit.hold_id].credited(credit.amount)
        if refund_id is not None:
            self.payments.append(PaymentRecord(refund_id, PaymentKind.REFUND, due.split.card, due.reference, now))

    def awaits_stock(self, reservation_id: str) -> bool:
        """This hold's confirmation is what the order waits for: the current attempt, not held yet."""
        return self._awaits(reservation_id) and self.location_id is None

    def _awaits(self, reservation_id: str) -> bool:
        """Only the current attempt's outcome counts, and only while the order waits for it."""
        return self.status is OrderStatus.RESERVING and reservation_id == self.reservation_id

    def _awaited_voucher(self, hold_id: str) -> VoucherPayment | None:
        """The voucher of this hold while the order still waits for its answer (substitutes included)."""
        if self.status not in (OrderStatus.RESERVING, OrderStatus.STOCK_UNAVAILABLE):
            return None
        return next((v for v in self.vouchers if v.hold_id == hold_id and v.state is VoucherState.REQUESTED), None)

    def _fail_payment(self, reason: str, now: datetime) -> None:
        self.payment_token = None
        if self.status is OrderStatus.RESERVING:  # stock requested or held: give it back
            self.recorder.record(events.ReservationReleaseRequested(self.reservation_id, reason, now))
        self._end(OrderStatus.PAYMENT_FAILED, reason, now)

    def _request_voucher_holds(self, now: datetime, timeout: timedelta) -> None:
        for voucher in self.vouchers:
            self.recorder.record(
                events.VoucherHoldRequested(
                    voucher.hold_id, voucher.code_hash, voucher.amount, self.market, self.order_id, now
                )
            )
        if self.vouchers:
            self.vouchers_answer_by = now + timeout

    def _request_reservation(self, now: datetime) -> None:
        location = self.pickup_location_id if self.fulfilment == "click_and_collect" else None
        self.recorder.record(
            events.ReservationRequested(
                self.reservation_id,
                self.market,
                tuple(events.LineToHold.of(line) for line in self.active_lines),
                location,
                CHECKOUT_HOLD_SECONDS,
                now,
            )
        )

    def _return(self, return_id: str) -> ReturnRequest:
        found = next((r for r in self.returns if r.return_id == return_id), None)
        if found is None:
            raise NotFound(f"order {self.order_id} has no return {return_id}", field="return_id")
        return found

    def _end(self, status: OrderStatus, reason: str, now: datetime) -> None:
        self.status, self.cancel_reason, self.cancelled_at, self.updated_at = status, reason, now, now
        self.vouchers_answer_by = None  # nothing is awaited any more
        self.recorder.record(events.OrderCancelled(self.order_id, reason, now))
