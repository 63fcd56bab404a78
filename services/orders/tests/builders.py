"""Orders in a given state, built through the aggregate's own transitions (for unit tests)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from orders.domain.cart import PricedLine
from orders.domain.customer import Consent, Sealed, SealedContact
from orders.domain.events import DomainEvent
from orders.domain.lines import ReservedUnit
from orders.domain.model import Order
from orders.domain.payments import Authorization
from orders.domain.rules import ACCESSORY, DEVICE
from orders.domain.vouchers import VoucherToApply
from reloop_contracts.amounts import Money

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)
ORDER_ID = "ord-1"
PHONE = PricedLine("L1", "IPH13-128-BLK-EX", DEVICE, 1, Money(45900, "EUR"))
CHARGERS = PricedLine("L2", "CHG-USB-C-20W", ACCESSORY, 2, Money(1990, "EUR"))
HELD = (ReservedUnit("L1", "U-1001", "WH-PAR"), ReservedUnit("L2", None, "WH-PAR"))

CONTACT = SealedContact("sub-1", Sealed("sub-1", "AES-256-GCM", "bm9uY2U=", "c2VhbGVk"), Consent(True, NOW))

E = TypeVar("E")


def checked_out(
    *,
    fulfilment: str = "ship",
    pickup: str | None = None,
    token: str = "tok_visa",
    contact: SealedContact | None = None,
) -> Order:
    order = Order.checkout(
        ORDER_ID, "cart-1", "cust-1", "FR", [PHONE, CHARGERS], fulfilment, pickup, "card", token, NOW
    )
    if contact is not None:
        order.capture_contact(contact)
    return order


def with_vouchers(*amounts_minor: int, token: str | None = "tok_visa") -> Order:
    """A phone and two chargers (49 880 EUR cents) checked out with vouchers of these amounts,
    codes TRD-AAAA-BBBB-CCCC-000n; the card, if `token`, pays the rest."""
    vouchers = [VoucherToApply.typed(voucher_code(n), Money(a, "EUR")) for n, a in enumerate(amounts_minor, 1)]
    method = "card" if token is not None else None
    return Order.checkout(
        ORDER_ID, "cart-1", "cust-1", "FR", [PHONE, CHARGERS], "ship", None, method, token, NOW, vouchers=vouchers
    )


def voucher_code(n: int) -> str:
    return f"TRD-AAAA-BBBB-CCCC-{n:04d}"


def approved(amount: Money) -> Authorization:
    return Authorization("auth-1", amount, approved=True)


def placed(contact: SealedContact | None = None) -> Order:
    order = checked_out(contact=contact)
    amount = order.confirm_reservation(ORDER_ID, HELD, NOW)
    assert amount is not None
    order.payment_captured(approved(amount), "cap-1", NOW)
    return order


def delivered(at: datetime = NOW, contact: SealedContact | None = None) -> Order:
    order = placed(contact)
    order.stock_committed_by_inventory((), at)
    order.fulfil("TRACK-1", at)
    order.deliver(at)
    return order


def recorded(order: Order, kind: type[E]) -> list[E]:
    return [event for event in order.recorder.events if isinstance(event, kind)]


def last(order: Order) -> DomainEvent:
    return order.recorder.events[-1]
