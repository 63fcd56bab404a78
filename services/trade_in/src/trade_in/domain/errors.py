"""The trade-in's refusals, each naming the field at fault and declaring its kind, so the shared
edge answers 404, 409 or 422 without a route mapping anything itself."""

from __future__ import annotations

from reloop_shared.errors import DomainError, ErrorKind


class TradeInError(DomainError):
    kind = ErrorKind.RULE_BROKEN


class InvalidDevice(TradeInError):
    """An IMEI that is not 15 digits with a valid Luhn check digit, or a serial that cannot be one."""


class InvalidGrid(TradeInError):
    """A buy-back grid entry whose figures contradict each other (a floor above the price)."""


class NoPrice(TradeInError):
    """The grid has no price for this model, storage and grade in this market."""


class FindingsRequired(TradeInError):
    """A grade worse than declared lowers the price only with findings that say why."""


class NotFound(TradeInError):
    kind = ErrorKind.NOT_FOUND


class InvalidTransition(TradeInError):
    """The trade-in is not in a state that allows this step; the message names the state."""

    kind = ErrorKind.CONFLICT


class QuoteExpired(TradeInError):
    kind = ErrorKind.CONFLICT


class AnswerWindowClosed(TradeInError):
    """The counter-offer's window is over: the configured default answered for the customer."""

    kind = ErrorKind.CONFLICT


class DeviceAlreadyOpen(TradeInError):
    """The same device is already in another open trade-in."""

    kind = ErrorKind.CONFLICT


class AlreadyReady(TradeInError):
    kind = ErrorKind.CONFLICT
