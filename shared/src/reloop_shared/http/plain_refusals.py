"""The framework's body limit answers 413 in plain text; clients of reloop get every refusal in the
one error shape (`reloop_shared.http.errors.ErrorBody`), so this rewrites that answer."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_TOO_LARGE = json.dumps({"error": "TooLarge", "message": "the body is larger than this route accepts"}).encode()


class TooLargeAsErrorBody:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rewriting = False

        async def send_error_body(message: Message) -> None:
            nonlocal rewriting
            if message["type"] == "http.response.start" and message["status"] == 413:
                content_type = dict(message.get("headers") or []).get(b"content-type", b"")
                rewriting = content_type.startswith(b"text/plain")
                if rewriting:
                    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(_TOO_LARGE))]
                    await send({"type": "http.response.start", "status": 413, "headers": headers})
                    return
            if rewriting and message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": _TOO_LARGE})
                return
            await send(message)

        await self.app(scope, receive, send_error_body)
