"""CRM's HTTP API (customer service, privacy office, analysts): requests -> commands -> handlers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from crm.adapters.merge_repository import MergeRepository
from crm.adapters.queries import ProfileQueries
from crm.adapters.vault import Vault
from crm.domain import commands
from crm.domain.analytics import POSTAL_PREFIX_LENGTH
from crm.domain.errors import Conflict, CrmError, NotFound
from crm.entrypoints.schemas import ConsentIn, ErasureIn, MergeIn, ShopIn, UndoIn
from crm.service_layer import consents, erasure, merging, reports, shops, views
from crm.service_layer.clock import Clock
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError
from reloop_shared.personal_data import normalise_email, normalise_phone

T = TypeVar("T")


async def _answer(work: Awaitable[T]) -> T:
    try:
        return await work
    except NotFound as error:
        raise ApiError(404, "not_found", str(error), field=error.field) from error
    except Conflict as error:
        raise ApiError(409, "conflict", str(error), field=error.field) from error
    except CrmError as error:
        raise ApiError(422, "invalid_request", str(error), field=error.field) from error


def routes(pool: Callable[[], Pool], unit_of_work: Callable[[], CrmUnitOfWork], vault: Vault, now: Clock) -> APIRouter:
    router = APIRouter()

    @router.get("/profiles/{profile_id}", tags=["profiles"], summary="A customer's 360 view")
    async def get_profile(profile_id: uuid.UUID) -> dict[str, Any]:
        async with pool().acquire() as conn:
            return await _answer(views.profile_view(conn, vault, profile_id))

    @router.get("/profiles", tags=["profiles"], summary="Find a profile by account id, subject id, e-mail or phone")
    async def find_profile(
        account_id: str | None = None, subject_id: str | None = None, email: str | None = None, phone: str | None = None
    ) -> dict[str, str]:
        if account_id:
            identifier = f"account:{account_id}"
        elif subject_id:
            identifier = f"subject:{subject_id}"
        elif email:
            identifier = "email:" + await vault.hash("email", normalise_email(email))
        elif phone:
            identifier = "phone:" + await vault.hash("phone", normalise_phone(phone))
        else:
            raise ApiError(422, "invalid_request", "give account_id, subject_id, email or phone", field="account_id")
        async with pool().acquire() as conn:
            found = await ProfileQueries(conn).profile_of(identifier)
        if found is None:
            raise ApiError(404, "not_found", "no profile has that identifier")
        return {"profile_id": str(found)}

    @router.post("/profiles/{profile_id}/consents", status_code=201, tags=["profiles"], summary="Change a consent")
    async def change_consent(profile_id: uuid.UUID, body: ConsentIn) -> dict[str, Any]:
        command = commands.ChangeConsent(profile_id, body.purpose, body.granted, body.captured_by)
        event = await _answer(consents.change_consent(command, unit_of_work(), now()))
        return event.model_dump(mode="json")

    @router.post("/merges", status_code=201, tags=["profiles"], summary="Merge two profiles of one person")
    async def merge(body: MergeIn) -> dict[str, Any]:
        command = commands.MergeProfiles(body.profile_id, body.other_profile_id, body.reason, body.requested_by)
        record = await _answer(merging.merge_profiles(command, unit_of_work(), vault, now()))
        return {"merge_id": record.merge_id, "profile_id": str(record.profile_id)}

    @router.get("/merges/{merge_id}", tags=["profiles"], summary="A merge and its audit trail")
    async def get_merge(merge_id: str) -> dict[str, Any]:
        async with pool().acquire() as conn:
            record = await MergeRepository(conn).get(merge_id)
        if record is None:
            raise ApiError(404, "not_found", f"no merge {merge_id}", field="merge_id")
        return {
            **record.__dict__,
            "profile_id": str(record.profile_id),
            "merged_profile_id": str(record.merged_profile_id),
        }

    @router.post("/merges/{merge_id}/undo", tags=["profiles"], summary="Un-merge: restore both profiles")
    async def undo(merge_id: str, body: UndoIn) -> dict[str, Any]:
        command = commands.UndoMerge(merge_id, body.reason, body.requested_by)
        record, restored = await _answer(merging.undo_merge(command, unit_of_work(), vault, now()))
        return {"merge_id": record.merge_id, "unmerge_id": record.unmerge_id, "profile_ids": [str(p) for p in restored]}

    @router.post("/shops", status_code=201, tags=["analytics"], summary="Declare a shop's catchment and opening date")
    async def declare_shop(body: ShopIn) -> dict[str, Any]:
        prefixes = body.prefixes()
        if any(len(p) != POSTAL_PREFIX_LENGTH for p in prefixes):
            raise ApiError(
                422,
                "invalid_request",
                f"postal prefixes have {POSTAL_PREFIX_LENGTH} characters",
                field="catchment_prefixes",
            )
        command = commands.DeclareShop(body.shop_id, body.kind, body.market, prefixes, body.opened_on)
        event = await shops.declare_shop(command, unit_of_work(), now())
        return event.model_dump(mode="json")

    @router.post("/erasure-requests", status_code=202, tags=["privacy"], summary="Erase a person everywhere")
    async def request_erasure(body: ErasureIn) -> JSONResponse:
        request = await _answer(
            erasure.request_erasure(commands.RequestErasure(body.profile_id), unit_of_work(), now())
        )
        content = {"request_id": request.request_id, "status": "pending", "holders": request.holders}
        return JSONResponse(status_code=202, content=content)

    @router.get("/erasure-requests/{request_id}", tags=["privacy"], summary="Which holders confirmed the erasure")
    async def erasure_progress(request_id: str) -> dict[str, Any]:
        found = await _answer(erasure.progress(request_id, unit_of_work()))
        return {
            "request_id": found.request_id,
            "status": "complete" if found.complete else "pending",
            "requested_at": found.requested_at,
            "holders": found.holders,
            "confirmed": [
                {"service": s, "records_erased": n, "detail": d, "completed_at": at}
                for s, (n, d, at) in sorted(found.confirmed.items())
            ],
            "pending": found.pending,
        }

    @router.get("/analytics/channels", tags=["analytics"], summary="Return rate and attach rates per channel")
    async def channels(
        since: datetime | None = None,
        until: datetime | None = None,
        market: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    ) -> list[dict[str, Any]]:
        async with pool().acquire() as conn:
            return await reports.channel_report(conn, since, until, market)

    @router.get("/analytics/halo", tags=["analytics"], summary="Online sales around shop openings (halo or not)")
    async def halo(window_days: Annotated[int, Query(ge=1, le=730)] = 90) -> dict[str, Any]:
        async with pool().acquire() as conn:
            return await reports.halo_report(conn, timedelta(days=window_days))

    return router
