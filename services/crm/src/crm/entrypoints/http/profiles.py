"""Profiles: the 360 view, finding a profile, changing a consent."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from crm.domain import commands
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ConsentIn, published
from crm.read_model import profile_view
from crm.service_layer import consents, lookup


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["profiles"])

    @routes.get("/profiles/{profile_id}", summary="A customer's 360 view")
    async def get_profile(profile_id: uuid.UUID) -> dict[str, Any]:
        async with edge.pool().acquire() as conn:
            return await profile_view.profile_view(conn, edge.vault, profile_id)

    @routes.get("/profiles", summary="Find a profile by account id, subject id, e-mail or phone")
    async def find_profile(
        account_id: str | None = None, subject_id: str | None = None, email: str | None = None, phone: str | None = None
    ) -> dict[str, str]:
        query = commands.FindProfile(account_id, subject_id, email, phone)
        return {"profile_id": str(await lookup.find_profile(query, edge.unit_of_work(), edge.vault))}

    @routes.post("/profiles/{profile_id}/consents", status_code=201, summary="Change a consent")
    async def change_consent(profile_id: uuid.UUID, body: ConsentIn) -> dict[str, Any]:
        command = commands.ChangeConsent(profile_id, body.purpose, body.granted, body.captured_by)
        return published(await consents.change_consent(command, edge.unit_of_work(), edge.clock))

    return routes
