"""Spreads the day's traffic over the fault window: sent all at once, the day would be in before
the first fault and the faults would hurt an idle system. Each sender takes its n-th step no
earlier than `start + n * span / steps`; a sender held up by a fault catches up at its own speed
(it never skips a step)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field


@dataclass
class Pace:
    span_s: float
    """How long the traffic lasts: about the fault window, so events flow while things die."""
    start: float = field(default_factory=time.monotonic)

    def due(self, step: int, steps: int) -> float:
        """The moment (monotonic clock) the `step`-th of `steps` is due."""
        return self.start + self.span_s * step / max(1, steps)

    async def wait(self, step: int, steps: int) -> None:
        delay = self.due(step, steps) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
