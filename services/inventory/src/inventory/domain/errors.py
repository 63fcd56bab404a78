"""Inventory rule violations; each names the field at fault where there is one, and its kind says
how the edges answer it (HTTP status, dead letter)."""

from __future__ import annotations

from reloop_shared.errors import DomainError, ErrorKind


class InventoryError(DomainError):
    kind = ErrorKind.RULE_BROKEN


class InvalidIdentifier(InventoryError):
    pass


class NotFound(InventoryError):
    kind = ErrorKind.NOT_FOUND


class Conflict(InventoryError):
    """The request contradicts the current state (a duplicate IMEI, a unit already in transit)."""

    kind = ErrorKind.CONFLICT


class InvalidTransition(InventoryError):
    """A unit cannot move from its status to the one asked for."""

    kind = ErrorKind.CONFLICT


class UnknownSku(InventoryError):
    pass


class InvalidSale(InventoryError):
    """A sale or return that cannot be applied as it is (currency, market, unknown unit)."""
