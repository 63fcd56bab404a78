"""Domain errors declare what kind of refusal they are; the edges decide what that means.

A service's domain errors subclass `DomainError` and set `kind`. The HTTP edge maps each kind to a
status in one table (`reloop_shared.http.errors`), so no route catches and re-wraps errors one by
one. Domain code may import this module: it is plain Python, no I/O.
"""

from __future__ import annotations

from enum import Enum
from typing import ClassVar, Self


class ErrorKind(Enum):
    NOT_FOUND = "not_found"
    """What the request names does not exist."""
    CONFLICT = "conflict"
    """The request is fine in itself but not in the current state (already done, a duplicate)."""
    RULE_BROKEN = "rule_broken"
    """The request breaks a business rule: the field it names is wrong."""
    FORBIDDEN = "forbidden"
    """The caller is known but may not do this."""
    UPSTREAM = "upstream"
    """Another system (a payment provider, an upstream event) let us down, not the caller."""


class DomainError(Exception):
    """A refusal by the domain, naming the field at fault where there is one."""

    kind: ClassVar[ErrorKind] = ErrorKind.RULE_BROKEN

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def code(self) -> str:
        """A stable code for clients: the error's class name."""
        return type(self).__name__

    def under(self, prefix: str) -> Self:
        """The same error, its field placed under `prefix` (an item's place in a batch)."""
        return type(self)(str(self), field=f"{prefix}.{self.field}" if self.field else prefix)
