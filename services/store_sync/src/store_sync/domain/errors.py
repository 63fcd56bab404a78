"""Business rule violations of store-sync, each naming the field at fault.

Each family says what kind of refusal it is, and the shared HTTP edge answers with that kind's
status: `Invalid` 422 (the request itself is wrong), `Conflict` 409 (fine in itself, but not in
the current state), `NotFound` 404.
"""

from __future__ import annotations

from typing import ClassVar

from reloop_shared.errors import DomainError, ErrorKind


class StoreSyncError(DomainError):
    kind: ClassVar[ErrorKind] = ErrorKind.RULE_BROKEN


class NotFound(StoreSyncError):
    kind = ErrorKind.NOT_FOUND


class Invalid(StoreSyncError):
    kind = ErrorKind.RULE_BROKEN


class Conflict(StoreSyncError):
    kind = ErrorKind.CONFLICT


class InvalidAmount(Invalid):
    pass


class InvalidTransaction(Invalid):
    pass


class InvalidShop(Invalid):
    pass


class InvalidPolicy(Invalid):
    pass


class InvalidShipment(Invalid):
    pass
