"""Orders' SQL for its aggregates: orders (with lines, payments, vouchers, returns), carts, and checkout keys."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from orders.domain.cart import Cart, CartLine, CartStatus
from orders.domain.customer import Consent, Sealed, SealedContact
from orders.domain.events import DomainEvent
from orders.domain.lines import (
    LineStatus,
    OrderLine,
    OrderStatus,
    PaymentKind,
    PaymentRecord,
    ReturnRequest,
    ReturnStatus,
    Substitute,
)
from orders.domain.model import Order
from orders.domain.vouchers import VoucherPayment, VoucherState
from reloop_contracts.amounts import Money
from reloop_shared.db.types import Connection
from reloop_shared.unit_of_work import TrackedAggregates

# The account id and the contact details are written once, at checkout: only erasure changes them
# afterwards (it takes the order's row lock like every change, so no stale copy writes them back).
_UPSERT_ORDER = """
INSERT INTO orders (order_id, cart_id, customer_id, market, fulfilment, pickup_location_id, status, reservation_id,
    reservation_attempt, payment_token, location_id, unavailable_lines, substitutes, stock_committed, cancel_reason,
    tracking_reference, created_at, placed_at, cancelled_at, fulfilled_at, delivered_at, withdrawal_deadline,
    updated_at, vouchers_answer_by, subject_id, sealed_contact, consent_marketing, consent_captured_at,
    consent_captured_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
    $24, $25, $26::jsonb, $27, $28, $29)
ON CONFLICT (order_id) DO UPDATE SET status = EXCLUDED.status, reservation_id = EXCLUDED.reservation_id,
    reservation_attempt = EXCLUDED.reservation_attempt, payment_token = EXCLUDED.payment_token,
    location_id = EXCLUDED.location_id, unavailable_lines = EXCLUDED.unavailable_lines,
    substitutes = EXCLUDED.substitutes, stock_committed = EXCLUDED.stock_committed,
    cancel_reason = EXCLUDED.cancel_reason, tracking_reference = EXCLUDED.tracking_reference,
    placed_at = EXCLUDED.placed_at, cancelled_at = EXCLUDED.cancelled_at, fulfilled_at = EXCLUDED.fulfilled_at,
    delivered_at = EXCLUDED.delivered_at, withdrawal_deadline = EXCLUDED.withdrawal_deadline,
    updated_at = EXCLUDED.updated_at, vouchers_answer_by = EXCLUDED.vouchers_answer_by
"""

_UPSERT_LINE = """
INSERT INTO order_lines (order_id, line_id, position, sku, kind, quantity, unit_price_minor, currency, unit_id,
    location_id, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (order_id, line_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, location_id = EXCLUDED.location_id,
    status = EXCLUDED.status
"""

_INSERT_PAYMENT = """
INSERT INTO order_payments (order_id, position, payment_id, kind, amount_minor, currency, reference, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (order_id, position) DO NOTHING
"""

# A voucher's hold is asked once and answered once: only its answer, what the sale took of it and
# what refunds put back on it are ever written again.
_UPSERT_VOUCHER = """
INSERT INTO order_vouchers (hold_id, order_id, position, code_hash, hint, amount_minor, currency, state, voucher_id,
    refusal, held_until, answered_at, paid_minor, refunded_minor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (hold_id) DO UPDATE SET state = EXCLUDED.state, voucher_id = EXCLUDED.voucher_id,
    refusal = EXCLUDED.refusal, held_until = EXCLUDED.held_until, answered_at = EXCLUDED.answered_at,
    paid_minor = EXCLUDED.paid_minor, refunded_minor = EXCLUDED.refunded_minor
"""

_UPSERT_RETURN = """
INSERT INTO order_returns (return_id, order_id, line_ids, reason, status, refund_minor, currency, refund_id,
    requested_at, received_at, store_credit_minor)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (return_id) DO UPDATE SET status = EXCLUDED.status, refund_minor = EXCLUDED.refund_minor,
    currency = EXCLUDED.currency, refund_id = EXCLUDED.refund_id, received_at = EXCLUDED.received_at,
    store_credit_minor = EXCLUDED.store_credit_minor
"""


class PostgresOrders:
    def __init__(self, conn: Connection, seen: TrackedAggregates[DomainEvent]) -> None:
        self.conn = conn
        self.seen = seen

    async def get(self, order_id: str, *, for_update: bool = False) -> Order | None:
        # Row lock: changes to one order are serialised, so its outbox rows keep their order.
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM orders WHERE order_id = $1{lock}", order_id)
        if row is None:
            return None
        lines = await self.conn.fetch("SELECT * FROM order_lines WHERE order_id = $1 ORDER BY position", order_id)
        payments = await self.conn.fetch("SELECT * FROM order_payments WHERE order_id = $1 ORDER BY position", order_id)
        vouchers = await self.conn.fetch("SELECT * FROM order_vouchers WHERE order_id = $1 ORDER BY position", order_id)
        returns = await self.conn.fetch(
            "SELECT * FROM order_returns WHERE order_id = $1 ORDER BY requested_at, return_id", order_id
        )
        order = _order(row, lines, payments, returns)
        order.vouchers = [_voucher(v) for v in vouchers]
        self.seen.append(order)
        return order

    async def for_hold(self, hold_id: str, *, for_update: bool = False) -> Order | None:
        order_id = await self.conn.fetchval("SELECT order_id FROM order_vouchers WHERE hold_id = $1", hold_id)
        return await self.get(order_id, for_update=for_update) if order_id is not None else None

    async def awaiting_voucher_answers(self, now: datetime, limit: int) -> list[Order]:
        # SKIP LOCKED: an order a consumer is answering right now is left for the next sweep.
        order_ids = await self.conn.fetch(
            """
            SELECT order_id FROM orders WHERE vouchers_answer_by <= $1
            ORDER BY vouchers_answer_by, order_id LIMIT $2 FOR UPDATE SKIP LOCKED
            """,
            now,
            limit,
        )
        found = [await self.get(r["order_id"]) for r in order_ids]
        return [order for order in found if order is not None]

    async def for_reservation(self, reservation_id: str, *, for_update: bool = False) -> Order | None:
        order_id = await self.conn.fetchval(
            "SELECT order_id FROM order_reservations WHERE reservation_id = $1", reservation_id
        )
        return await self.get(order_id, for_update=for_update) if order_id is not None else None

    async def save(self, order: Order) -> None:
        if order not in self.seen:
            self.seen.append(order)  # a new order's events are collected on commit too
        await self.conn.execute(
            _UPSERT_ORDER,
            order.order_id,
            order.cart_id,
            order.customer_id,
            order.market,
            order.fulfilment,
            order.pickup_location_id,
            order.status.value,
            order.reservation_id,
            order.reservation_attempt,
            order.payment_token,
            order.location_id,
            order.unavailable_lines,
            json.dumps([s.__dict__ for s in order.substitutes]),
            order.stock_committed,
            order.cancel_reason,
            order.tracking_reference,
            order.created_at,
            order.placed_at,
            order.cancelled_at,
            order.fulfilled_at,
            order.delivered_at,
            order.withdrawal_deadline,
            order.updated_at or order.created_at,
            order.vouchers_answer_by,
            *_contact_columns(order.contact),
        )
        await self.conn.execute(
            "INSERT INTO order_reservations (reservation_id, order_id, attempt) VALUES ($1, $2, $3)"
            " ON CONFLICT (reservation_id) DO NOTHING",
            order.reservation_id,
            order.order_id,
            order.reservation_attempt,
        )
        await self.conn.executemany(
            _UPSERT_LINE,
            [
                (
                    order.order_id,
                    line.line_id,
                    position,
                    line.sku,
                    line.kind,
                    line.quantity,
                    line.unit_price.amount_minor,
                    line.unit_price.currency,
                    line.unit_id,
                    line.location_id,
                    line.status.value,
                )
                for position, line in enumerate(order.lines)
            ],
        )
        if order.payments:
            await self.conn.executemany(
                _INSERT_PAYMENT,
                [
                    (
                        order.order_id,
                        position,
                        p.payment_id,
                        p.kind.value,
                        p.amount.amount_minor,
                        p.amount.currency,
                        p.reference,
                        p.at,
                    )
                    for position, p in enumerate(order.payments)
                ],
            )
        if order.vouchers:
            await self.conn.executemany(
                _UPSERT_VOUCHER,
                [
                    (
                        v.hold_id,
                        order.order_id,
                        position,
                        v.code_hash,
                        v.hint,
                        v.amount.amount_minor,
                        v.amount.currency,
                        v.state.value,
                        v.voucher_id,
                        v.refusal,
                        v.held_until,
                        v.answered_at,
                        v.paid.amount_minor if v.paid is not None else None,
                        v.refunded.amount_minor if v.refunded is not None else 0,
                    )
                    for position, v in enumerate(order.vouchers)
                ],
            )
        if order.returns:
            await self.conn.executemany(
                _UPSERT_RETURN,
                [
                    (
                        r.return_id,
                        order.order_id,
                        list(r.line_ids),
                        r.reason,
                        r.status.value,
                        r.refund.amount_minor if r.refund else None,
                        r.refund.currency if r.refund else None,
                        r.refund_id,
                        r.requested_at,
                        r.received_at,
                        r.store_credit.amount_minor if r.store_credit is not None else None,
                    )
                    for r in order.returns
                ],
            )


def _order(row: Any, lines: list[Any], payments: list[Any], returns: list[Any]) -> Order:
    return Order(
        order_id=row["order_id"],
        cart_id=row["cart_id"],
        customer_id=row["customer_id"],
        market=row["market"],
        fulfilment=row["fulfilment"],
        pickup_location_id=row["pickup_location_id"],
        lines=[
            OrderLine(
                line_id=r["line_id"],
                sku=r["sku"],
                kind=r["kind"],
                quantity=r["quantity"],
                unit_price=Money(r["unit_price_minor"], r["currency"]),
                unit_id=r["unit_id"],
                location_id=r["location_id"],
                status=LineStatus(r["status"]),
            )
            for r in lines
        ],
        created_at=row["created_at"],
        status=OrderStatus(row["status"]),
        reservation_id=row["reservation_id"],
        reservation_attempt=row["reservation_attempt"],
        payment_token=row["payment_token"],
        location_id=row["location_id"],
        unavailable_lines=list(row["unavailable_lines"]),
        substitutes=[Substitute(**s) for s in json.loads(row["substitutes"])],
        payments=[
            PaymentRecord(
                p["payment_id"],
                PaymentKind(p["kind"]),
                Money(p["amount_minor"], p["currency"]),
                p["reference"],
                p["at"],
            )
            for p in payments
        ],
        returns=[
            ReturnRequest(
                return_id=r["return_id"],
                line_ids=tuple(r["line_ids"]),
                reason=r["reason"],
                requested_at=r["requested_at"],
                status=ReturnStatus(r["status"]),
                refund=Money(r["refund_minor"], r["currency"]) if r["refund_minor"] is not None else None,
                refund_id=r["refund_id"],
                received_at=r["received_at"],
                store_credit=_minor(r["store_credit_minor"], r["currency"]),
            )
            for r in returns
        ],
        stock_committed=row["stock_committed"],
        cancel_reason=row["cancel_reason"],
        tracking_reference=row["tracking_reference"],
        placed_at=row["placed_at"],
        cancelled_at=row["cancelled_at"],
        fulfilled_at=row["fulfilled_at"],
        delivered_at=row["delivered_at"],
        withdrawal_deadline=row["withdrawal_deadline"],
        updated_at=row["updated_at"],
        contact=_contact(row),
        vouchers_answer_by=row["vouchers_answer_by"],
    )


def _voucher(row: Any) -> VoucherPayment:
    return VoucherPayment(
        hold_id=row["hold_id"],
        code_hash=row["code_hash"],
        hint=row["hint"],
        amount=Money(row["amount_minor"], row["currency"]),
        state=VoucherState(row["state"]),
        voucher_id=row["voucher_id"],
        refusal=row["refusal"],
        held_until=row["held_until"],
        answered_at=row["answered_at"],
        paid=_minor(row["paid_minor"], row["currency"]),
        refunded=_minor(row["refunded_minor"] or None, row["currency"]),
    )


def _minor(amount_minor: int | None, currency: str | None) -> Money | None:
    return Money(amount_minor, currency) if amount_minor is not None and currency is not None else None


def _contact_columns(contact: SealedContact | None) -> tuple[Any, ...]:
    if contact is None:
        return (None, None, None, None, None)
    consent = contact.consent
    return (
        contact.subject_id,
        json.dumps(dataclasses.asdict(contact.sealed)),
        consent.marketing if consent else None,
        consent.captured_at if consent else None,
        consent.captured_by if consent else None,
    )


def _contact(row: Any) -> SealedContact | None:
    if row["subject_id"] is None:
        return None
    consent = None
    if row["consent_marketing"] is not None:
        consent = Consent(row["consent_marketing"], row["consent_captured_at"], row["consent_captured_by"])
    return SealedContact(row["subject_id"], Sealed(**json.loads(row["sealed_contact"])), consent)


class PostgresCarts:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, cart_id: str, *, for_update: bool = False) -> Cart | None:
        # Row lock: one checkout per cart, and concurrent edits of one cart are serialised.
        lock = " FOR UPDATE" if for_update else ""
        row = await self.conn.fetchrow(f"SELECT * FROM carts WHERE cart_id = $1{lock}", cart_id)
        if row is None:
            return None
        lines = await self.conn.fetch("SELECT * FROM cart_lines WHERE cart_id = $1 ORDER BY position", cart_id)
        return Cart(
            cart_id=row["cart_id"],
            market=row["market"],
            customer_id=row["customer_id"],
            created_at=row["created_at"],
            lines=[CartLine(r["line_id"], r["sku"], r["kind"], r["quantity"]) for r in lines],
            status=CartStatus(row["status"]),
            order_id=row["order_id"],
        )

    async def save(self, cart: Cart) -> None:
        await self.conn.execute(
            """
            INSERT INTO carts (cart_id, market, customer_id, status, order_id, created_at)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (cart_id) DO UPDATE SET status = EXCLUDED.status, order_id = EXCLUDED.order_id
            """,
            cart.cart_id,
            cart.market,
            cart.customer_id,
            cart.status.value,
            cart.order_id,
            cart.created_at,
        )
        # A cart is a handful of lines: rewriting them is simpler than diffing them.
        await self.conn.execute("DELETE FROM cart_lines WHERE cart_id = $1", cart.cart_id)
        if cart.lines:
            await self.conn.executemany(
                """
                INSERT INTO cart_lines (cart_id, line_id, position, sku, kind, quantity)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [(cart.cart_id, ln.line_id, n, ln.sku, ln.kind, ln.quantity) for n, ln in enumerate(cart.lines)],
            )


class PostgresCheckoutRequests:
    """Checkout `Idempotency-Key`s: which order a key already created."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def find(self, key: str) -> tuple[str, str] | None:
        """(fingerprint, order_id) of the checkout that used `key`, if any."""
        row = await self.conn.fetchrow(
            "SELECT fingerprint, order_id FROM checkout_requests WHERE idempotency_key = $1", key
        )
        return (row["fingerprint"], row["order_id"]) if row is not None else None

    async def record(self, key: str, fingerprint: str, cart_id: str, order_id: str) -> bool:
        """False when another checkout took the key meanwhile (the unique key decides)."""
        inserted = await self.conn.fetchval(
            """
            INSERT INTO checkout_requests (idempotency_key, fingerprint, cart_id, order_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING true
            """,
            key,
            fingerprint,
            cart_id,
            order_id,
        )
        return inserted is True
