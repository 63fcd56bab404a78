"""Counts and times every HTTP request (`requests_observed` calls `count`) by its route template
(`/units/{unit_id}`), method and status, into `reloop_http_requests_total` and `reloop_http_request_duration_seconds`.

The route is read after the app answered: the router writes the route it matched into the
request's scope. A raw path would put every id ever requested into a label, so a request no route
matched is counted under one `unmatched` route. Probes and scrapes are not counted: they are the
platform talking to itself and would drown the callers' rate."""

from __future__ import annotations

from starlette.routing import BaseRoute
from starlette.types import Scope

from reloop_shared.telemetry import metrics

UNMATCHED = "unmatched"
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics"})


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) else UNMATCHED


def count(method: str, route: str, status: int, seconds: float) -> None:
    """One answered request, into the request counter and the duration histogram."""
    metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
    metrics.HTTP_SECONDS.labels(method, route).observe(seconds)
