"""Profiles: the 360 view, finding a profile, exporting one, changing a consent.

The 360 view needs `crm:read`; its opened contact details need `crm:read-personal` as well, and
without it they are redacted (never opened). Finding a profile needs `crm:read-personal`: a
look-up by e-mail or phone is a query about a person's data. An export needs `crm:export`.
Whoever opens or looks up personal data says why (`X-Purpose`), and is recorded in the audit
before the answer leaves."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from crm.domain import commands
from crm.domain.audit import opened_fields
from crm.entrypoints.http import scopes
from crm.entrypoints.http.accountability import Purpose, PurposeIfPersonal, staff_access
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import ConsentIn, published
from crm.read_model import profile_view
from crm.service_layer import audit, consents, export, lookup
from reloop_shared.auth.principal import Principal
from reloop_shared.http.authentication import requires
from reloop_shared.http.errors import ApiError, ErrorBody

VIEW_ANSWER = (
    "The 360 view. `personal_data[].fields` holds the opened contact details (e-mail, phone, name, "
    f"postal codes) only for a token holding `{scopes.READ_PERSONAL}` and only where reloop may use the "
    "record (`usable_by_reloop`); otherwise it is null. Without that scope every `fields` is null, "
    "the details are not even opened, and `personal_data_redacted` is true. A view with the details opened "
    "needs `X-Purpose` and is recorded in the audit."
)


TOO_MANY_LOOKUPS = {"model": ErrorBody, "description": "Too many lookups: try again after `Retry-After` seconds."}


def too_many_lookups(retry_after_s: int) -> ApiError:
    return ApiError(
        429,
        "TooManyLookups",
        f"too many lookups: try again in {retry_after_s} s",
        headers={"Retry-After": str(retry_after_s)},
    )


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["profiles"])

    async def opened_view(profile_id: uuid.UUID) -> dict[str, Any]:
        async with edge.pool().acquire() as conn:
            return await profile_view.profile_view(conn, edge.vault, profile_id, personal=True)

    @routes.get("/profiles/{profile_id}", summary="A customer's 360 view", response_description=VIEW_ANSWER)
    async def get_profile(
        profile_id: uuid.UUID,
        request: Request,
        purpose: PurposeIfPersonal = None,
        who: Principal = requires(scopes.READ),
    ) -> dict[str, Any]:
        if not who.may(scopes.READ_PERSONAL):
            async with edge.pool().acquire() as conn:
                return await profile_view.profile_view(conn, edge.vault, profile_id, personal=False)
        access = staff_access(who, purpose, request)

        def fields(view: dict[str, Any]) -> list[str]:
            return opened_fields(view["personal_data"])

        return await audit.audited(
            lambda: opened_view(profile_id), fields, access, "read", profile_id, edge.unit_of_work(), edge.clock
        )

    @routes.get(
        "/profiles",
        summary="Find a profile by account id, subject id, e-mail or phone",
        description="Exact match only (an e-mail or phone through its keyed hash). Every lookup is recorded in "
        "the audit (the identifier's kind, never its value), found or not; a caller's lookups are limited in a "
        "moving window, and one over the limit is a 429 with `Retry-After` (recorded as `lookup-refused`).",
        responses={429: TOO_MANY_LOOKUPS},
    )
    async def find_profile(
        request: Request,
        purpose: Purpose,
        who: Principal = requires(scopes.READ_PERSONAL),
        account_id: Annotated[str | None, Query(max_length=128)] = None,
        subject_id: Annotated[str | None, Query(max_length=128)] = None,
        email: Annotated[str | None, Query(max_length=320)] = None,
        phone: Annotated[str | None, Query(max_length=32)] = None,
    ) -> dict[str, str]:
        query = commands.FindProfile(account_id, subject_id, email, phone)
        access = staff_access(who, purpose, request)
        found = await lookup.look_up(query, edge.unit_of_work(), edge.vault, edge.lookups, access, edge.clock)
        if isinstance(found, lookup.Refused):
            raise too_many_lookups(found.retry_after_s)
        return {"profile_id": str(found)}

    @routes.get(
        "/profiles/{profile_id}/export",
        summary="Everything CRM holds on a customer (art. 15)",
        description=export.__doc__ or "",
    )
    async def export_profile(
        profile_id: uuid.UUID, request: Request, purpose: Purpose, who: Principal = requires(scopes.EXPORT)
    ) -> dict[str, Any]:
        access = staff_access(who, purpose, request)
        return await export.export_profile(profile_id, opened_view, edge.unit_of_work(), edge.clock, access)

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
