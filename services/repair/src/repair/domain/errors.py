"""Repair's refusals, each naming the field at fault and declaring its kind, so the shared edge
answers 404, 409 or 422 without a route mapping anything itself."""

from __future__ import annotations

from reloop_shared.errors import DomainError, ErrorKind


class RepairError(DomainError):
    kind = ErrorKind.RULE_BROKEN


class InvalidDevice(RepairError):
    """An IMEI that is not 15 digits with a valid Luhn check digit, or a serial that cannot be one."""


class InvalidDiagnosis(RepairError):
    """A diagnosis whose figures contradict each other (an unrepairable device with parts to fit)."""


class NotFound(RepairError):
    kind = ErrorKind.NOT_FOUND


class InvalidTransition(RepairError):
    """The ticket is not in a state that allows this step; the message names the state."""

    kind = ErrorKind.CONFLICT


class NotEnoughParts(RepairError):
    """The centre has fewer of a part available (on hand, not reserved) than the ticket needs."""

    kind = ErrorKind.CONFLICT


class QuoteLapsed(RepairError):
    """The customer answered a quote after its deadline: the market's default answer applies instead."""

    kind = ErrorKind.CONFLICT
