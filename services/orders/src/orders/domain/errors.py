"""Business rule violations of orders, each naming the field at fault.

Each family declares its kind and the shared HTTP edge picks the status from it: `NotFound` a
404, `Invalid` a 422 (the request itself is wrong), `Conflict` a 409 (the request is fine but the
cart or order is not in a state that allows it), and a failure of inventory or the payment
provider a 502.
"""

from __future__ import annotations

from reloop_shared.errors import DomainError, ErrorKind


class OrdersError(DomainError):
    pass


class NotFound(OrdersError):
    kind = ErrorKind.NOT_FOUND


class Invalid(OrdersError):
    kind = ErrorKind.RULE_BROKEN


class Conflict(OrdersError):
    kind = ErrorKind.CONFLICT


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

    kind = ErrorKind.UPSTREAM


class PaymentFailed(OrdersError):
    """The payment provider refused an operation that the ledger rules should have allowed."""

    kind = ErrorKind.UPSTREAM
