"""Counts and times every HTTP request by its route template (`/units/{unit_id}`), method and
status, into `reloop_http_requests_total` and `reloop_http_request_duration_seconds`.

The route is read after the app answered: the router writes the route it matched into the
request's scope. A raw path would put every id ever requested into a label, so a request no route
matched is counted under one `unmatched` route. Probes and scrapes are not counted: they are the
platform talking to itself and would drown the callers' rate."""

from __future__ import annotations

import time

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reloop_shared.telemetry import metrics

UNMATCHED = "unmatched"
NOT_COUNTED = frozenset({"/healthz", "/readyz", "/metrics"})


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None) if isinstance(route, BaseRoute) else None
    return path if isinstance(path, str) else UNMATCHED


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in NOT_COUNTED:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting a response

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            route, method = route_of(scope), str(scope.get("method", ""))
            metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
            metrics.HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
