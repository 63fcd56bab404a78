"""A customer's own data, with their own token (`customer()`; the subject is their account id):
what CRM holds on them (GDPR art. 15) and their erasure (art. 17).

The profile is always the one their account belongs to, never one named in the request, so a
token reaches its own profile only; another customer's erasure request answers 404, as an unknown
one does. Both are recorded in the audit (actor kind `customer`, the purpose their request).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from crm.domain import commands
from crm.domain.audit import ACCESS_REQUEST, ERASURE_REQUEST, customer_actor
from crm.entrypoints.http.accountability import customer_access
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.privacy import progress, requested
from crm.read_model import profile_view
from crm.service_layer import erasure, export
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import customer


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["my data"])

    async def opened_view(profile_id: uuid.UUID) -> dict[str, Any]:
        async with edge.pool().acquire() as conn:
            return await profile_view.profile_view(conn, edge.vault, profile_id, personal=True)

    @routes.get(
        "/me/export",
        summary="Everything CRM holds on me (art. 15)",
        description=(export.__doc__ or "") + "\n\nNo profile yet (nothing bought, nothing recorded): 404.",
    )
    async def export_my_data(request: Request, who: Principal = customer()) -> dict[str, Any]:
        access = await customer_access(who, ACCESS_REQUEST, edge.vault, request)
        command = commands.ExportOwnData(who.subject)
        return await export.export_own_data(command, opened_view, edge.unit_of_work(), edge.clock, access)

    @routes.post(
        "/me/erasure-requests",
        status_code=202,
        summary="Erase me everywhere (art. 17)",
        description="Every holder of personal data (CRM, orders, store-sync) forgets me; follow it with the "
        "request id. Accepted even when CRM has no profile of mine yet: the other holders may hold my account.",
    )
    async def erase_me(request: Request, who: Principal = customer()) -> dict[str, Any]:
        access = await customer_access(who, ERASURE_REQUEST, edge.vault, request)
        command = commands.RequestOwnErasure(who.subject)
        return requested(await erasure.request_own_erasure(command, edge.unit_of_work(), edge.clock, access))

    @routes.get("/me/erasure-requests/{request_id}", summary="How far my erasure went")
    async def my_erasure(request_id: str, who: Principal = customer()) -> dict[str, Any]:
        requester = customer_actor(await edge.vault.pepper(), who.subject)
        return progress(await erasure.own_progress(request_id, requester, edge.unit_of_work()))

    return routes
