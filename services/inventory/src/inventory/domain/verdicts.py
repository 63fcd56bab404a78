"""Inventory's answers to a request that belong to no single aggregate: a hold rejected, how a sale
was allocated, a return received. Recorded like an aggregate's events, so the unit of work
publishes them with the state change, attributed to the request they answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from inventory.domain import events


@dataclass
class Verdicts:
    recorder: events.EventRecorder[events.DomainEvent] = field(default_factory=events.EventRecorder)

    @classmethod
    def of(cls, *raised: events.DomainEvent) -> Verdicts:
        verdicts = cls()
        for event in raised:
            verdicts.recorder.record(event)
        return verdicts
