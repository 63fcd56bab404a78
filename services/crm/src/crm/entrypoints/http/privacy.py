"""Erasure requests: ask for a person to be erased everywhere, follow every holder's confirmation.
Both need `crm:erase`: an erasure cannot be undone, and its progress is the privacy office's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from crm.domain import commands
from crm.entrypoints.http import scopes
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ErasureIn
from crm.service_layer import erasure
from reloop_shared.http.authentication import requires


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["privacy"], dependencies=[requires(scopes.ERASE)])

    @routes.post("/erasure-requests", status_code=202, summary="Erase a person everywhere")
    async def request_erasure(body: ErasureIn) -> dict[str, Any]:
        request = await erasure.request_erasure(
            commands.RequestErasure(body.profile_id), edge.unit_of_work(), edge.clock
        )
        return {"request_id": request.request_id, "status": "pending", "holders": list(request.holders)}

    @routes.get("/erasure-requests/{request_id}", summary="Which holders confirmed the erasure")
    async def erasure_progress(request_id: str) -> dict[str, Any]:
        found = await erasure.progress(request_id, edge.unit_of_work())
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

    return routes
