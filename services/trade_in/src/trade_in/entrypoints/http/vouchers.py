"""Vouchers over HTTP: a balance for the customer who holds the voucher or for staff, and staff's
own reads and issues (a goodwill voucher). The code travels in clear once, in the answer to its
issue; afterwards only its hint is shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import AwareDatetime, BaseModel, Field

from reloop_contracts.money import Money as WireMoney
from reloop_shared.auth.principal import STOREFRONT, Principal
from reloop_shared.clock import Clock
from reloop_shared.http.authentication import customer_or_staff, requires
from reloop_shared.http.errors import ApiError
from reloop_shared.http.requests import RequestBody
from trade_in.domain.vouchers import Entry, IssueVoucher, VoucherNotFound
from trade_in.entrypoints.http.schemas import MoneyIn
from trade_in.service_layer import vouchers
from trade_in.service_layer.voucher_ports import VoucherUnitOfWork, VoucherView

VOUCHERS_SCOPE = "trade-in:vouchers"


class VoucherIn(RequestBody):
    market: str = Field(pattern=r"^[A-Z]{2}$")
    amount: MoneyIn
    expires_at: AwareDatetime | None = Field(default=None, description="Default: the service's voucher validity.")
    customer_id: str | None = Field(default=None, min_length=1, max_length=128)


class IssuedOut(BaseModel):
    voucher_id: str
    code: str = Field(description="The code in clear: shown this once, kept nowhere.")
    code_hint: str
    amount: WireMoney
    expires_at: datetime


class BalanceOut(BaseModel):
    voucher_id: str
    code_hint: str
    market: str
    balance: WireMoney
    expires_at: datetime
    expired: bool

    @classmethod
    def of(cls, view: VoucherView) -> BalanceOut:
        v = view.voucher
        expired = v.expired_at is not None
        return cls(
            voucher_id=v.voucher_id,
            code_hint=v.code_hint,
            market=v.market,
            balance=WireMoney.of(view.balance),
            expires_at=v.expires_at,
            expired=expired,
        )


class EntryOut(BaseModel):
    kind: str
    amount: WireMoney
    at: datetime
    hold_id: str | None
    held_until: datetime | None
    sale_id: str | None
    reason: str | None

    @classmethod
    def of(cls, entry: Entry) -> EntryOut:
        return cls(
            kind=entry.kind,
            amount=WireMoney.of(entry.amount),
            at=entry.at,
            hold_id=entry.hold_id,
            held_until=entry.held_until,
            sale_id=entry.sale_id,
            reason=entry.reason,
        )


class VoucherOut(BalanceOut):
    amount: WireMoney
    customer_id: str | None
    trade_in_id: str | None
    issued_at: datetime
    ledger: list[EntryOut] = Field(description="Every entry, oldest first; the balance is their sum.")

    @classmethod
    def of(cls, view: VoucherView) -> VoucherOut:
        v = view.voucher
        return cls(
            **BalanceOut.of(view).model_dump(),
            amount=WireMoney.of(v.amount),
            customer_id=v.customer_id,
            trade_in_id=v.trade_in_id,
            issued_at=v.issued_at,
            ledger=[EntryOut.of(e) for e in v.entries],
        )


Code = Annotated[str, Path(min_length=1, max_length=64, description="The voucher's code, dashes and case as typed.")]


def voucher_routes(
    unit_of_work: Callable[[], VoucherUnitOfWork], clock: Clock, *, validity: timedelta = timedelta(days=365)
) -> APIRouter:
    router = APIRouter(prefix="/vouchers", tags=["vouchers"])
    holder_or_staff: Any = customer_or_staff(VOUCHERS_SCOPE)

    @router.post("", status_code=201, dependencies=[requires(VOUCHERS_SCOPE)])
    async def issue_voucher(body: VoucherIn) -> IssuedOut:
        """Issue a voucher by hand (goodwill, a correction): answers its code, this once."""
        if body.amount.amount_minor == 0:
            raise ApiError(422, "InvalidVoucher", "a voucher is worth more than nothing", field="amount.amount_minor")
        command = IssueVoucher(
            body.market, body.amount.value(), body.expires_at or clock.now() + validity, customer_id=body.customer_id
        )
        issued = await vouchers.issue_voucher(command, unit_of_work(), clock)
        return IssuedOut(
            voucher_id=issued.voucher_id,
            code=issued.code,
            code_hint=issued.code_hint,
            amount=WireMoney.of(issued.amount),
            expires_at=issued.expires_at,
        )

    @router.get("/{code}/balance")
    async def voucher_balance(code: Code, caller: Principal = holder_or_staff) -> BalanceOut:
        """The balance of a voucher: a customer sees only their own (another's answers 404)."""
        view = await vouchers.voucher_balance(code, unit_of_work())
        if caller.audience == STOREFRONT and view.voucher.customer_id != caller.subject:
            raise VoucherNotFound("no voucher has this code", field="code")
        return BalanceOut.of(view)

    @router.get("/{voucher_id}", dependencies=[requires(VOUCHERS_SCOPE)])
    async def voucher(voucher_id: Annotated[str, Path(min_length=1, max_length=64)]) -> VoucherOut:
        """A voucher with its whole ledger."""
        return VoucherOut.of(await vouchers.voucher_with_ledger(voucher_id, unit_of_work()))

    return router
