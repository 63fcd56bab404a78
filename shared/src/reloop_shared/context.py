"""The business flow a piece of work belongs to, carried across awaits by contextvars.

An HTTP request or a consumed event sets it; the outbox reads it so every event records its
correlation id (the flow) and causation id (the request or event that caused it).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class FlowContext:
    correlation_id: str
    causation_id: str | None = None


_current: ContextVar[FlowContext | None] = ContextVar("reloop_flow", default=None)


def current_flow() -> FlowContext:
    """The active flow, or a new one for work that starts here (a script, a timer)."""
    flow = _current.get()
    return flow if flow is not None else FlowContext(correlation_id=str(uuid.uuid4()))


def peek_flow() -> FlowContext | None:
    return _current.get()


@contextmanager
def flow(correlation_id: str, causation_id: str | None = None) -> Iterator[FlowContext]:
    value = FlowContext(correlation_id, causation_id)
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)
