"""The workshop's service levels: how long a ticket may spend on each step, per market, and how
long it has, counted from its history with the clock stopped while it waits on its customer.

A step runs from the first time the ticket reaches its start until the first time it reaches one
of its ends after that. Going back (a quote accepted for a repair needing no parts returns to
`diagnosed`, a failed quality check to `in_repair`) does not restart a step: the customer waits
through the rework too. While the ticket is `quoted` (a quote to answer) or `ready_for_pickup`
(a device to collect) the clock stops: that time is the customer's, not the workshop's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from repair.domain.events import Status
from repair.domain.tickets import Transition


@dataclass(frozen=True)
class Step:
    name: str
    starts: Status
    ends: frozenset[Status]


STEPS: tuple[Step, ...] = (
    Step("received->diagnosed", "received", frozenset({"diagnosed"})),
    # A device that goes back unrepaired (declined, unrepairable) leaves the workshop's hands there.
    Step("diagnosed->repaired", "diagnosed", frozenset({"repaired", "returned_unrepaired"})),
    Step("repaired->quality_checked", "repaired", frozenset({"quality_checked"})),
    Step("quality_checked->sent_back", "quality_checked", frozenset({"ready_for_pickup", "shipped_back"})),
)
STEP_NAMES: frozenset[str] = frozenset(s.name for s in STEPS)
WAITING_ON_CUSTOMER: frozenset[Status] = frozenset({"quoted", "ready_for_pickup"})
"""While the ticket is in one of these, its step's clock is stopped."""

DEFAULT_TARGETS: Mapping[str, timedelta] = {
    "received->diagnosed": timedelta(days=2),
    "diagnosed->repaired": timedelta(days=3),
    "repaired->quality_checked": timedelta(days=1),
    "quality_checked->sent_back": timedelta(days=1),
}


@dataclass(frozen=True)
class SlaPolicy:
    """Each market's targets; a step a market does not name keeps the default target."""

    markets: Mapping[str, Mapping[str, timedelta]] = field(default_factory=dict)
    default: Mapping[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    def __post_init__(self) -> None:
        for where, targets in [("default", self.default), *self.markets.items()]:
            for step, target in targets.items():
                if step not in STEP_NAMES:
                    raise ValueError(f"SLA of {where}: no step {step!r} (steps: {', '.join(sorted(STEP_NAMES))})")
                if target <= timedelta(0):
                    raise ValueError(f"SLA of {where}: the target of {step} is not positive")

    def targets_of(self, market: str) -> dict[str, timedelta]:
        return {**self.default, **self.markets.get(market, {})}

    @property
    def shortest(self) -> timedelta | None:
        """The shortest target anywhere: a ticket opened more recently than that is late on no step."""
        every = [*self.default.values(), *(t for targets in self.markets.values() for t in targets.values())]
        return min(every, default=None)


@dataclass(frozen=True)
class StepClock:
    step: str
    started_at: datetime
    ended_at: datetime | None
    elapsed: timedelta
    """The step's time so far (or in all, once ended), the customer's waits left out."""
    target: timedelta
    waiting_on_customer: bool
    """The clock is stopped now: the ticket waits on its customer."""

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def overdue_by(self) -> timedelta:
        return max(self.elapsed - self.target, timedelta(0))


def step_clocks(history: Sequence[Transition], targets: Mapping[str, timedelta], now: datetime) -> list[StepClock]:
    """The clock of every step with a target the ticket has started, in workflow order."""
    clocks = []
    for step in STEPS:
        target = targets.get(step.name)
        start = next((i for i, t in enumerate(history) if t.to_status == step.starts), None)
        if target is None or start is None:
            continue
        end = next((i for i in range(start + 1, len(history)) if history[i].to_status in step.ends), None)
        last = end if end is not None else len(history)
        elapsed = timedelta(0)
        for i in range(start, last):
            if history[i].to_status in WAITING_ON_CUSTOMER:
                continue
            until = history[i + 1].at if i + 1 < len(history) else now
            elapsed += max(until - history[i].at, timedelta(0))
        clocks.append(
            StepClock(
                step.name,
                history[start].at,
                history[end].at if end is not None else None,
                elapsed,
                target,
                end is None and history[-1].to_status in WAITING_ON_CUSTOMER,
            )
        )
    return clocks


def running_late(history: Sequence[Transition], targets: Mapping[str, timedelta], now: datetime) -> StepClock | None:
    """The step the ticket is on, when it has run past its target (a wait on the customer that
    began after the target passed does not clear it: the workshop was late before)."""
    return next((c for c in step_clocks(history, targets, now) if c.running and c.elapsed > c.target), None)
