"""The subscriptions' refusals, each naming the field at fault and declaring its kind (the shared
edge maps the kind to a status)."""

from __future__ import annotations

from reloop_shared.errors import ErrorKind
from repair.domain.errors import RepairError


class MarketNotServed(RepairError):
    """No plan is sold in this market."""


class FairUseBroken(RepairError):
    """A subscription asked for more than the market's fair use allows; the message names the rule."""

    def __init__(self, rule: str, message: str, *, field: str | None = None) -> None:
        super().__init__(f"{rule}: {message}", field=field)
        self.rule = rule


class ShopRequired(RepairError):
    """A subscription made in a shop names the shop; one made online names none."""


class PaymentDeclined(RepairError):
    """The billing port declined the charge that starts or settles a subscription."""

    kind = ErrorKind.CONFLICT


class SubscriptionNotFound(RepairError):
    kind = ErrorKind.NOT_FOUND


class SubscriptionClosed(RepairError):
    """The subscription is cancelled or expired: nothing is left to cancel or pay."""

    kind = ErrorKind.CONFLICT


class NothingOverdue(RepairError):
    """A payment was offered for a subscription that owes nothing."""

    kind = ErrorKind.CONFLICT


class DeviceAlreadySubscribed(RepairError):
    """The device is on another live subscription already."""

    kind = ErrorKind.CONFLICT


class RefundRefused(RepairError):
    """A refund of a charge that was not paid, or of more than it paid."""

    kind = ErrorKind.CONFLICT


class RunInThePast(RepairError):
    """A renewal run asked for as of a moment already gone: runs only look ahead, never back."""


class RunsOnDemandRefused(RepairError):
    """Renewal runs on demand are refused here (production, unless allowed)."""

    kind = ErrorKind.FORBIDDEN
