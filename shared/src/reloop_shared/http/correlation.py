"""Every HTTP request starts or joins a flow: `X-Correlation-Id` in, the same id out."""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reloop_shared.context import flow

HEADER = "x-correlation-id"


class CorrelationMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(HEADER.encode())
        correlation_id = incoming.decode("latin-1")[:200] if incoming else str(uuid.uuid4())
        request_id = f"http:{uuid.uuid4()}"

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (HEADER.encode(), correlation_id.encode("latin-1"))]
            await send(message)

        with flow(correlation_id, request_id):
            await self.app(scope, receive, send_with_id)
