"""The audit of personal data, for whoever holds `crm:audit`: who opened, looked up, exported or
erased whose data, why and when, newest first. It holds no personal data, so reading it is not
itself audited."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from crm.domain.audit import AccessRecord
from crm.entrypoints.http import scopes
from crm.entrypoints.http.edge import Edge
from crm.service_layer import audit
from reloop_shared.http.authentication import requires
from reloop_shared.http.errors import ApiError
from reloop_shared.http.pagination import Key, Page, PageRequest, page_of, page_request


class AuditRecordOut(BaseModel):
    id: uuid.UUID
    at: datetime
    actor: str
    actor_kind: Literal["staff", "customer"]
    scopes: list[str]
    profile_id: uuid.UUID | None
    action: str
    fields: list[str]
    purpose: str
    request_id: str | None
    route: str


def _key(record: AuditRecordOut) -> Key:
    return (record.at.isoformat(), str(record.id))


def _before(request: PageRequest) -> tuple[datetime, uuid.UUID] | None:
    if request.after is None:
        return None
    try:
        at, record_id = request.after
        return datetime.fromisoformat(str(at)), uuid.UUID(str(record_id))
    except ValueError as error:
        raise ApiError(422, "invalid_request", "cursor is not one this list gave out", field="cursor") from error


def _out(record: AccessRecord) -> AuditRecordOut:
    return AuditRecordOut.model_validate(record, from_attributes=True)


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["privacy"])

    @routes.get(
        "/audit",
        summary="Who opened whose personal data, and why",
        description="Newest first. A customer acting on their own data is named by a keyed hash of their account.",
        dependencies=[requires(scopes.AUDIT)],
    )
    async def audit_trail(
        page: Annotated[PageRequest, Depends(page_request)],
        profile_id: uuid.UUID | None = None,
        actor: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    ) -> Page[AuditRecordOut]:
        found = await audit.newest_records(profile_id, actor, page.limit + 1, _before(page), edge.unit_of_work())
        items, cursor = page_of([_out(r) for r in found], page, _key)
        return Page[AuditRecordOut](items=items, next_cursor=cursor)

    return routes
