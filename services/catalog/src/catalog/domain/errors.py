"""Business rule violations of the catalog, each naming the field at fault."""

from __future__ import annotations


class CatalogError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidPrice(CatalogError):
    pass


class NotFound(CatalogError):
    pass


class AlreadyExists(CatalogError):
    pass


class Discontinued(CatalogError):
    pass


class InvalidSku(CatalogError):
    pass
