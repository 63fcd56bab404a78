"""Every topic of the system, in one list. Each domain module declares its own topics."""

from __future__ import annotations

from reloop_contracts.registry import TopicSpec

ALL_TOPICS: tuple[TopicSpec, ...] = ()
