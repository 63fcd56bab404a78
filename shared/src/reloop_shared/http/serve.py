"""Runs a service's app with uvicorn; SIGTERM/SIGINT stop it gracefully (lifespan shutdown)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from reloop_shared.settings import RuntimeSettings


def serve(app: FastAPI, settings: RuntimeSettings) -> None:
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # our JSON logging, configured by the runtime
        access_log=False,
        timeout_graceful_shutdown=20,
    )
