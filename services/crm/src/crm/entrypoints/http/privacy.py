"""Erasure requests: ask for a person to be erased everywhere, follow every holder's confirmation.
Both need `crm:erase`: an erasure cannot be undone, and its progress is the privacy office's.
Asking needs `X-Purpose` too, and is recorded in the audit with the request."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from crm.domain import commands, events
from crm.domain.erasure import ErasureStatus
from crm.entrypoints.http import scopes
from crm.entrypoints.http.accountability import Purpose, staff_access
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ErasureIn
from crm.service_layer import erasure
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires


def requested(request: events.ErasureRequested) -> dict[str, Any]:
    return {"request_id": request.request_id, "status": "pending", "holders": list(request.holders)}


def progress(found: ErasureStatus) -> dict[str, Any]:
    return {
        "request_id": found.request_id,
        "status": "complete" if found.complete else "pending",
        "requested_at": found.requested_at,
        "holders": found.holders,
        "confirmed": [
            {"service": s, "records_erased": n, "detail": d, "completed_at": at}
            for s, (n, d, at) in sorted(found.confirmations.items())
        ],
        "pending": found.pending,
    }


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["privacy"])

    @routes.post("/erasure-requests", status_code=202, summary="Erase a person everywhere")
    async def request_erasure(
        body: ErasureIn, request: Request, purpose: Purpose, who: Principal = requires(scopes.ERASE)
    ) -> dict[str, Any]:
        access = staff_access(who, purpose, request)
        asked = await erasure.request_erasure(
            commands.RequestErasure(body.profile_id), edge.unit_of_work(), edge.clock, access
        )
        return requested(asked)

    @routes.get(
        "/erasure-requests/{request_id}",
        summary="Which holders confirmed the erasure",
        dependencies=[requires(scopes.ERASE)],
    )
    async def erasure_progress(request_id: str) -> dict[str, Any]:
        return progress(await erasure.progress(request_id, edge.unit_of_work()))

    return routes
