"""Events that belong to no single aggregate (a rejected hold, a sale's allocation summary)."""

from __future__ import annotations

from dataclasses import dataclass, field

from inventory.domain import events


@dataclass
class Notices:
    recorder: events.EventRecorder = field(default_factory=events.EventRecorder)
