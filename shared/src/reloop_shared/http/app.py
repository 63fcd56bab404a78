"""The FastAPI application of a service: its routes plus health, readiness, metrics and tracing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from reloop_shared.http.correlation import CorrelationMiddleware
from reloop_shared.http.errors import install_error_handlers
from reloop_shared.runtime import ServiceRuntime


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": runtime.service}

    @router.get("/readyz", summary="Readiness: database, Kafka and the outbox relay are usable")
    async def readyz() -> JSONResponse:
        checks = await runtime.ready()
        ready = runtime.started and all(checks.values())
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, "checks": checks})

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def create_edge(
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    traced: bool = False,
) -> FastAPI:
    """The one HTTP edge: routes, the error answers (`reloop_shared.http.errors`), correlation ids
    and, when `traced`, a span per request. `create_app` serves it with a runtime; a service's
    in-memory twin serves it alone, so routes and their answers are tested without a database."""
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    install_error_handlers(app)
    for router in routers:
        app.include_router(router)
    if traced:
        FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz,metrics")
    # Outermost, so the flow is set before the tracing middleware and every route runs inside it.
    app.add_middleware(CorrelationMiddleware)
    return app


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    return create_edge(
        title=title,
        description=description,
        routers=[health_router(runtime), *routers],
        lifespan=lifespan,
        traced=True,
    )
