"""Business rule violations of the catalog, each naming the field at fault.

Each family declares its kind; the shared HTTP edge answers NOT_FOUND with 404, CONFLICT with 409
and RULE_BROKEN with 422, so no route maps them itself.
"""

from __future__ import annotations

from reloop_shared.errors import DomainError, ErrorKind


class CatalogError(DomainError):
    kind = ErrorKind.RULE_BROKEN


class InvalidPrice(CatalogError):
    pass


class NotFound(CatalogError):
    kind = ErrorKind.NOT_FOUND


class AlreadyExists(CatalogError):
    kind = ErrorKind.CONFLICT


class Discontinued(CatalogError):
    """Repricing a discontinued SKU breaks a rule of the SKU (422), as it always has."""


class InvalidSku(CatalogError):
    pass
