"""The FastAPI application of a service: its routes plus health, readiness, metrics and tracing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from reloop_shared.auth.verification import jwks_verifier
from reloop_shared.http.authentication import install_verifier, public, unguarded_routes
from reloop_shared.http.correlation import CorrelationMiddleware
from reloop_shared.http.errors import ERROR_RESPONSES, install_error_handlers
from reloop_shared.http.guard_first import answer_the_guard_first
from reloop_shared.http.offline_docs import docs_router
from reloop_shared.http.plain_refusals import TooLargeAsErrorBody
from reloop_shared.http.requests_observed import ObservedRequests
from reloop_shared.http.unstorable_text import refuse_unstorable_text
from reloop_shared.runtime import ServiceRuntime


def health_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"], dependencies=[public()])

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


DEFAULT_MAX_BODY_BYTES = 1024 * 1024


def create_edge(
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    traced: bool = False,
    deny_unguarded: bool = True,
) -> FastAPI:
    """The one HTTP edge: routes, the error answers (`reloop_shared.http.errors`), correlation ids
    and, when `traced`, a span per request. `create_app` serves it with a runtime; a service's
    in-memory twin serves it alone, so routes and their answers are tested without a database.

    Deny by default: an app with a route neither guarded nor declared public is not built."""
    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        dependencies=[Depends(refuse_unstorable_text)],
        # The edge traces (`request_spans`) and counts (`request_metrics`) requests itself: FastAPI's
        # own telemetry would add a second server span, and a span per dependency of every route.
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        # FastAPI's own pages load their scripts from a CDN: the service serves its own instead.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    answer_the_guard_first(app)
    for router in [docs_router(), *routers]:
        # Operations routes answer for themselves; every other route may refuse in the one shape.
        # 1 MiB unless a route declares more (`max_body_size=` on the route: POS batches, exports).
        app.include_router(
            router,
            responses=None if router.tags == ["operations"] else ERROR_RESPONSES,
            max_body_size=DEFAULT_MAX_BODY_BYTES,
        )
    app.add_middleware(TooLargeAsErrorBody)
    # Outside the rewrite above, so it counts (and, traced, spans) the status sent.
    app.add_middleware(ObservedRequests, traced=traced)
    # Outermost, so the flow is set before the request is observed and every route runs inside it.
    app.add_middleware(CorrelationMiddleware)
    if deny_unguarded and (open_doors := unguarded_routes(app)):
        raise UnguardedRoutes(f"{title}: routes neither guarded nor declared public: {', '.join(open_doors)}")
    return app


class UnguardedRoutes(Exception):
    """An app would answer someone nobody said may call it."""


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    deny_unguarded: bool = True,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = create_edge(
        title=title,
        description=description,
        routers=[health_router(runtime), *routers],
        lifespan=lifespan,
        traced=True,
        deny_unguarded=deny_unguarded,
    )
    if runtime.settings.jwks:
        install_verifier(app, jwks_verifier(runtime.settings.jwks, issuer=runtime.settings.token_issuer))
    return app
