"""Where code gets the time: one protocol, the system clock in production, a fixed clock in tests.

Handlers take a `Clock` wired once in bootstrap; domain decisions take the instant itself
(`now=clock.now()`), so a rule about time is tested with a plain datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock tells UTC-aware time")
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> datetime:
        self.at += by
        return self.at

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("a clock tells UTC-aware time")
        self.at = at


SYSTEM_CLOCK = SystemClock()
