"""Business rule violations of store-sync, each naming the field at fault.

The HTTP edge maps the family to a status: `Invalid` is a 422 (the request itself is wrong),
`Conflict` a 409 (fine in itself, but not in the current state), `NotFound` a 404.
"""

from __future__ import annotations


class StoreSyncError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def under(self, prefix: str) -> StoreSyncError:
        """The same error, its field placed under `prefix` (a transaction's place in a batch)."""
        return type(self)(str(self), field=f"{prefix}.{self.field}" if self.field else prefix)


class NotFound(StoreSyncError):
    pass


class Invalid(StoreSyncError):
    pass


class Conflict(StoreSyncError):
    pass


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
