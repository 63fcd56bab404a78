"""Every request the edge answers, observed once: the status the server sent, then the request
counted and timed (`request_metrics`) and, on a traced edge, its server span (`request_spans`).

One wrapper of `send` and one look at the route per request, whatever observes it: the counting
and the span used to be two middlewares, each wrapping every message the app sent. Probes and
scrapes are neither counted nor traced: they are the platform talking to itself.
"""

from __future__ import annotations

import contextlib
import time
from contextlib import AbstractContextManager

from opentelemetry.trace import Span
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reloop_shared.http.request_metrics import NOT_COUNTED, count, route_of
from reloop_shared.http.request_spans import describe, request_span


class ObservedRequests:
    def __init__(self, app: ASGIApp, *, traced: bool = False) -> None:
        self.app = app
        self.traced = traced

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in NOT_COUNTED:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting a response

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        spanning: AbstractContextManager[Span | None] = (
            request_span(scope, method) if self.traced else contextlib.nullcontext()
        )
        with spanning as span:
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = route_of(scope)
                count(method, route, status, time.perf_counter() - started)
                if span is not None:
                    describe(span, scope, method, route, status)
