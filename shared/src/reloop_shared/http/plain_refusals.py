"""The framework's body limit answers 413 in plain text; clients of reloop get every refusal in the
one error shape (`reloop_shared.http.errors.ErrorBody`), so this rewrites that answer. A caller the
route's guard refuses is answered that refusal instead (`reloop_shared.http.guard_first`)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from reloop_shared.http.errors import answer
from reloop_shared.http.guard_first import refusal_by_the_guard

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
                    # The limit is checked before the route's dependencies run, the guard among them.
                    refusal = await refusal_by_the_guard(Request(scope))
                    status, headers, body = 413, [(b"content-type", b"application/json")], _TOO_LARGE
                    if refusal is not None:
                        response = answer(refusal)
                        status, headers, body = response.status_code, response.raw_headers, bytes(response.body)
                    else:
                        headers.append((b"content-length", b"%d" % len(body)))
                    await send({"type": "http.response.start", "status": status, "headers": headers})
                    await send({"type": "http.response.body", "body": body})
                    return
            if rewriting and message["type"] == "http.response.body":
                return  # the plain-text body: the one-shape answer was sent in its place
            await send(message)

        await self.app(scope, receive, send_error_body)
