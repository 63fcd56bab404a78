"""What aggregates record as they change, for the unit of work to publish on commit.

One generic recorder for every service: an aggregate holds an `EventRecorder[DomainEvent]` of its
own service's domain events. Domain code may import this module: it is plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

E = TypeVar("E")


@dataclass
class EventRecorder(Generic[E]):
    """Aggregates record what they did; the unit of work collects it on commit.

    `events` are what this aggregate recorded since its last commit ("has events" means "changed
    in this transaction"). Once a unit of work tracks the aggregate, `journal` is that unit of
    work's list, so collecting costs nothing per aggregate: a batch of hundreds of sales would
    otherwise scan every aggregate after each sale."""

    events: list[E] = field(default_factory=list)
    journal: list[E] | None = field(default=None, repr=False, compare=False)

    def record(self, event: E) -> None:
        self.events.append(event)
        if self.journal is not None:
            self.journal.append(event)


class RecordsEvents(Protocol[E]):
    """An aggregate: anything with a recorder of its service's domain events."""

    @property
    def recorder(self) -> EventRecorder[E]: ...
