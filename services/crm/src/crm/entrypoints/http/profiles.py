"""Profiles: the 360 view, finding a profile, changing a consent.

The 360 view needs `crm:read`; its opened contact details need `crm:read-personal` as well, and
without it they are redacted (never opened). Finding a profile needs `crm:read-personal`: a
look-up by e-mail or phone is a query about a person's data."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from crm.domain import commands
from crm.entrypoints.http import scopes
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ConsentIn, published
from crm.read_model import profile_view
from crm.service_layer import consents, lookup
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires

VIEW_ANSWER = (
    "The 360 view. `personal_data[].fields` holds the opened contact details (e-mail, phone, name, "
    f"postal codes) only for a token holding `{scopes.READ_PERSONAL}` and only where reloop may use the "
    "record (`usable_by_reloop`); otherwise it is null. Without that scope every `fields` is null, "
    "the details are not even opened, and `personal_data_redacted` is true."
)


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["profiles"])

    @routes.get("/profiles/{profile_id}", summary="A customer's 360 view", response_description=VIEW_ANSWER)
    async def get_profile(profile_id: uuid.UUID, who: Principal = requires(scopes.READ)) -> dict[str, Any]:
        personal = who.may(scopes.READ_PERSONAL)
        async with edge.pool().acquire() as conn:
            return await profile_view.profile_view(conn, edge.vault, profile_id, personal=personal)

    @routes.get(
        "/profiles",
        summary="Find a profile by account id, subject id, e-mail or phone",
        dependencies=[requires(scopes.READ_PERSONAL)],
    )
    async def find_profile(
        account_id: str | None = None, subject_id: str | None = None, email: str | None = None, phone: str | None = None
    ) -> dict[str, str]:
        query = commands.FindProfile(account_id, subject_id, email, phone)
        return {"profile_id": str(await lookup.find_profile(query, edge.unit_of_work(), edge.vault))}

    @routes.post(
        "/profiles/{profile_id}/consents",
        status_code=201,
        summary="Change a consent",
        dependencies=[requires(scopes.WRITE)],
    )
    async def change_consent(profile_id: uuid.UUID, body: ConsentIn) -> dict[str, Any]:
        command = commands.ChangeConsent(profile_id, body.purpose, body.granted, body.captured_by)
        return published(await consents.change_consent(command, edge.unit_of_work(), edge.clock))

    return routes
