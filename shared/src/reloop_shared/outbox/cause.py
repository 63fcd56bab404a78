"""Why an event is written: the business flow and the trace it belongs to, captured when a
consumed event (or a request) caused it, so events written later in one batch keep their cause."""

from __future__ import annotations

from dataclasses import dataclass, field

from reloop_shared.context import FlowContext, current_flow
from reloop_shared.telemetry.tracing import inject_headers


@dataclass(frozen=True)
class Cause:
    flow: FlowContext
    trace_headers: dict[str, str] = field(default_factory=dict)


def capture_cause() -> Cause:
    """The current flow and trace context."""
    return Cause(current_flow(), inject_headers())
