"""Runs a service's app with uvicorn; SIGTERM/SIGINT stop it gracefully (lifespan shutdown: the
runtime's consumers finish and commit their batch, the relay its pass). In production it first
refuses default secrets (`reloop_shared.production`)."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator

import uvicorn
from fastapi import FastAPI

from reloop_shared.collection import tune_for_batches
from reloop_shared.production import exit_on_defaults
from reloop_shared.settings import RuntimeSettings

_STARTUP_FAILURE = 3  # uvicorn's own exit status when the app did not start


class _Server(uvicorn.Server):
    """uvicorn raises again the signal it stopped on once it is done, so a process stopped cleanly
    by SIGTERM still ends *killed* by it (status -15, 143 in a shell) and a supervisor counts a
    failure. SIGTERM is how an orchestrator asks a service to stop: once handled, that is exit 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals = [s for s in self._captured_signals if s != signal.SIGTERM]


def serve(app: FastAPI, settings: RuntimeSettings) -> None:
    exit_on_defaults(app.title, settings)  # before anything is connected
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by the runtime
        access_log=False,
        timeout_graceful_shutdown=20,
        # uvloop's event loop and httptools' parser: 13% less CPU per quote than asyncio's loop and
        # h11 (bench/RESULTS.md), for the consumers and the relay in the same process too.
        loop="uvloop",
        http="httptools",
    )
    server = _Server(config)
    tune_for_batches()  # every service applies batches; the app and its settings are built by now
    server.run()
    if not server.started:
        sys.exit(_STARTUP_FAILURE)
