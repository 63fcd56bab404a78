"""Business rule violations of orders, each naming the field at fault.

The HTTP edge maps the family to a status: `Invalid` is a 422 (the request itself is wrong),
`Conflict` a 409 (the request is fine but the cart or order is not in a state that allows it).
"""

from __future__ import annotations


class OrdersError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(OrdersError):
    pass


class Invalid(OrdersError):
    pass


class Conflict(OrdersError):
    pass


class InvalidQuantity(Invalid):
    pass


class NotSellable(Invalid):
    pass


class InvalidCheckout(Invalid):
    pass


class InvalidReturn(Invalid):
    pass


class InvalidSubstitute(Invalid):
    pass


class WrongState(Conflict):
    pass


class WithdrawalPeriodOver(Conflict):
    pass


class IdempotencyKeyReused(Conflict):
    pass


class CustomerErased(Conflict):
    """The customer's data subject was erased while their checkout was under way."""


class ReservationMismatch(OrdersError):
    """Inventory confirmed a hold that does not fit the order (a device line without a unit)."""


class PaymentFailed(OrdersError):
    """The payment provider refused an operation that the ledger rules should have allowed."""
