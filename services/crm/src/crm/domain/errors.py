"""Why a CRM request was refused. Each family names its kind; the shared HTTP edge maps kinds to
statuses (404, 409, 422) in one table."""

from __future__ import annotations

from typing import ClassVar

from reloop_shared.errors import DomainError, ErrorKind


class CrmError(DomainError):
    """A request that breaks one of CRM's rules: the field it names is wrong."""

    kind: ClassVar[ErrorKind] = ErrorKind.RULE_BROKEN


class NotFound(CrmError):
    kind: ClassVar[ErrorKind] = ErrorKind.NOT_FOUND


class Conflict(CrmError):
    """Fine in itself, refused by what happened before (already undone, un-merged people)."""

    kind: ClassVar[ErrorKind] = ErrorKind.CONFLICT


class NoIdentifierGiven(CrmError):
    pass


class InvalidCatchment(CrmError):
    pass
