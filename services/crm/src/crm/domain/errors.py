"""Why a CRM request was refused; the HTTP edge maps these to 404 and 409."""

from __future__ import annotations


class CrmError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(CrmError):
    pass


class Conflict(CrmError):
    pass
