"""Inventory rule violations; each names the field at fault where there is one."""

from __future__ import annotations


class InventoryError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidIdentifier(InventoryError):
    pass


class NotFound(InventoryError):
    pass


class Conflict(InventoryError):
    """The request contradicts the current state (a duplicate IMEI, a unit already in transit)."""


class InvalidTransition(InventoryError):
    """A unit cannot move from its status to the one asked for."""


class UnknownSku(InventoryError):
    pass


class InvalidSale(InventoryError):
    """A sale or return that cannot be applied as it is (currency, market, unknown unit)."""
