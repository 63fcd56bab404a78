"""A lean HTTP/1.1 load client for benches whose load generator shares the machine with the
service it measures.

httpx spent ~1.2 ms of CPU per request here, as much as the quote it was asking for, on the same
two cores: the figures measured the client as much as the service. This client keeps each
connection open (keep-alive), writes a request in one call, and reads the status line, the
headers and a `Content-Length` body, nothing more. It speaks to our own uvicorn edges only
(no chunked bodies, no redirects, no TLS); anything else is an error, never a silent success.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """The answer was not one this client can read."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; one request at a time (as one browser tab sends them)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname is None or parts.port is None:
            raise ValueError(f"an http://host:port URL, not {url}")
        self.host, self.port = parts.hostname, parts.port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post_json(self, path: str, body: Any, headers: dict[str, str]) -> Answer:
        payload = json.dumps(body, separators=(",", ":")).encode()
        return await self.post(path, payload, {"Content-Type": "application/json", **headers})

    async def post(self, path: str, payload: bytes, headers: dict[str, str]) -> Answer:
        """POST a body already encoded; `headers` say its content type."""
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        head.append(f"Content-Length: {len(payload)}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + payload
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        assert self._reader is not None
        self._writer.write(request)
        return await self._answer(self._reader)

    async def _answer(self, reader: asyncio.StreamReader) -> Answer:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        if not version.startswith("HTTP/1."):
            raise HttpError(f"not an HTTP/1.x answer: {status_line!r}")
        length: int | None = None
        closing = False
        for line in lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise HttpError("a chunked answer: this client reads Content-Length bodies only")
            elif name == "connection" and value.strip().lower() == "close":
                closing = True
        if length is None:
            raise HttpError("an answer without Content-Length")
        body = await reader.readexactly(length)
        if closing:
            await self.close()
        return Answer(int(status), body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(ConnectionError):  # the server closed it first: closed either way
                await self._writer.wait_closed()
        self._reader = self._writer = None


Call = Callable[[Connection], Awaitable[None]]


async def at_a_fixed_rate(
    connections: Sequence[Connection], rate: float, seconds: float, next_call: Callable[[], Call | None]
) -> list[float]:
    """Send `rate` calls a second for `seconds`, each when it is due, on whichever connection is
    free; `next_call` gives the call due now (None: nothing left to send). Answers each call's
    latency in ms from when it was due, so queueing behind a slow service counts (no coordinated
    omission)."""
    free: asyncio.Queue[Connection] = asyncio.Queue()
    for connection in connections:
        free.put_nowait(connection)
    latencies: list[float] = []

    async def due(at: float, call: Call) -> None:
        connection = await free.get()
        try:
            await call(connection)
            latencies.append((time.perf_counter() - at) * 1000)
        finally:
            free.put_nowait(connection)

    origin = time.perf_counter()
    sending: list[asyncio.Task[None]] = []
    for n in range(int(rate * seconds)):
        at = origin + n / rate
        if (wait := at - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        if (call := next_call()) is None:
            break
        sending.append(asyncio.create_task(due(at, call)))
    await asyncio.gather(*sending)
    return latencies
