"""Runs a service's app with uvicorn; SIGTERM/SIGINT stop it gracefully (lifespan shutdown). In
production it first refuses default secrets (`reloop_shared.production`)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from reloop_shared.production import exit_on_defaults
from reloop_shared.settings import RuntimeSettings


def serve(app: FastAPI, settings: RuntimeSettings) -> None:
    exit_on_defaults(app.title, settings)  # before anything is connected
    uvicorn.run(
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
