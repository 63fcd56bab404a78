"""A service's app served over real HTTP on the test's own event loop, so an outside client (the
fuzzer, a separate process) reaches it while its database pool stays on the loop it was made on."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Answers:
    """Every status the service answered, counted by the server itself: what the fuzzer reports is
    checked against what really went out."""

    by_route: Counter[tuple[str, int]] = field(default_factory=Counter)

    def statuses(self) -> Counter[int]:
        counted: Counter[int] = Counter()
        for (_, status), count in self.by_route.items():
            counted[status] += count
        return counted

    def server_errors(self) -> dict[str, int]:
        return {f"{route} -> {status}": n for (route, status), n in self.by_route.items() if status >= 500}

    def routes_answered(self, low: int, high: int) -> set[str]:
        return {route for (route, status) in self.by_route if low <= status < high}


class _Counting:
    def __init__(self, app: ASGIApp, answers: Answers) -> None:
        self.app = app
        self.answers = answers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The route's template once routing has matched one, so ids do not spread the count.
                route = getattr(scope.get("route"), "path", None) or scope["path"]
                self.answers.by_route[(f"{scope['method']} {route}", int(message["status"]))] += 1
            await send(message)

        await self.app(scope, receive, counted)


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[tuple[str, Answers]]:
    """The base URL of `app` served on a free loopback port, and the answers it gave. The app's
    runtime is started by the caller (`reloop_localstack.testing.running`): no lifespan here."""
    answers = Answers()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(_Counting(app, answers), lifespan="off", log_level="warning", access_log=False)
    )
    serving = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            if serving.done():
                serving.result()  # it failed to start: say why
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}", answers
    finally:
        server.should_exit = True
        await serving
        listener.close()
