"""Which failures are worth waiting out and which mean the message itself is the problem."""

from __future__ import annotations

from reloop_shared import failures


def is_transient(error: BaseException) -> bool:
    """The database or network is unavailable, or a concurrent transaction got in the way: the
    message is fine, so it is retried without limit (the partition waits) instead of being
    dead-lettered. The verdict is the one table of `reloop_shared.failures`."""
    return failures.is_transient(error)


class Unprocessable(Exception):
    """The event is well formed but breaks a business rule that no retry will change (an unknown
    SKU, a currency that is not the market's). It goes to the dead-letter topic at once, with this
    message as the reason, and can be replayed once the data is fixed."""
