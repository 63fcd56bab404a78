"""A connected till holds part of a store-credit voucher before taking it: the request goes to
trade-in through the outbox and the route waits a few seconds for the answer. With no answer in
time the till hears `pending` and may take the voucher offline, as shops do: the sale redeems it
anyway, and `GET` tells the answer once it came."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from reloop_shared.http.errors import ApiError, ErrorBody
from reloop_shared.http.requests import RequestBody
from store_sync.domain import commands
from store_sync.domain.voucher_holds import HELD, REFUSED, VoucherHold, code_hash
from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.transaction_schemas import MoneyIn, TxnId
from store_sync.service_layer import voucher_holds

_FIELD_OF_REFUSAL = {"insufficient_balance": "amount", "wrong_currency": "amount.currency"}
"""The field a refusal blames; the code itself for the others (unknown, expired)."""


class VoucherHoldIn(RequestBody):
    hold_id: TxnId = Field(description="The till's own id for the hold: the same id again is the same request.")
    code: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="The voucher's code as typed (any case, dashes, spaces): hashed on arrival, never stored."
    )
    amount: MoneyIn = Field(description="What the till would take from the voucher, in the shop's currency.")
    reference: TxnId | None = Field(default=None, description="The till's transaction id this hold is for.")


class VoucherHoldOut(BaseModel):
    hold_id: str
    status: Literal["pending", "held", "refused"]
    amount: MoneyIn
    held_until: datetime | None = Field(description="Held until then; released by trade-in if no sale takes it.")
    reason: str | None = Field(default=None, description="Why trade-in refused it.")
    reference: str | None = None


_ANSWERS: dict[int | str, dict[str, Any]] = {
    202: {
        "model": VoucherHoldOut,
        "description": "No answer from trade-in in time: `status` is `pending`; `GET` tells the answer later.",
    },
    409: {
        "model": ErrorBody,
        "description": "Trade-in refused the hold: `error` is `VoucherHoldRefused`, with `status` `refused` and "
        "`reason` (unknown_code, expired, insufficient_balance, wrong_currency). Or this `hold_id` was "
        "requested before with another code, amount or reference: `error` is `Conflict`, `field` `hold_id`.",
    },
}


def _out(hold: VoucherHold) -> VoucherHoldOut:
    return VoucherHoldOut(
        hold_id=hold.hold_id,
        status=hold.status,
        amount=MoneyIn(amount_minor=hold.amount.amount_minor, currency=hold.amount.currency),
        held_until=hold.held_until,
        reason=hold.refusal,
        reference=hold.reference,
    )


def _refused(hold: VoucherHold) -> ApiError:
    reason = hold.refusal or ""
    error = ApiError(
        409,
        "VoucherHoldRefused",
        f"trade-in refused the hold: {reason}",
        field=_FIELD_OF_REFUSAL.get(reason, "code"),
        hold_id=hold.hold_id,
        reason=reason,
    )
    error.extra["status"] = REFUSED  # `status` is ApiError's own argument (the HTTP status)
    return error


def voucher_hold_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["pos"], dependencies=[edge.guards.shop])

    @router.post(
        "/shops/{shop_id}/voucher-holds",
        summary="Hold part of a voucher before taking it: held (200), refused (409) or pending (202)",
        responses=_ANSWERS,
    )
    async def request(shop_id: str, body: VoucherHoldIn, response: Response) -> VoucherHoldOut:
        command = commands.RequestVoucherHold(
            shop_id, body.hold_id, code_hash(body.code), body.amount.domain(), body.reference
        )
        await voucher_holds.request_hold(command, edge.unit_of_work(), edge.clock)
        hold = await voucher_holds.answered(
            shop_id,
            body.hold_id,
            edge.unit_of_work,
            wait_s=edge.settings.voucher_hold_wait_s,
            poll_s=edge.settings.voucher_hold_poll_s,
        )
        if hold.status == REFUSED:
            raise _refused(hold)
        response.status_code = 200 if hold.status == HELD else 202
        return _out(hold)

    @router.get(
        "/shops/{shop_id}/voucher-holds/{hold_id}", summary="A voucher hold as it stands: pending, held or refused"
    )
    async def read(shop_id: str, hold_id: str) -> VoucherHoldOut:
        return _out(await voucher_holds.hold_of(shop_id, hold_id, edge.unit_of_work()))

    return router
