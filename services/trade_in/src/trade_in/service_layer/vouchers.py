"""The voucher use cases: load (and lock), let the ledger's rules decide, save, record the events.

Each handler owns its transaction, except `issue_within`, which the trade-in's payout calls inside
its own so the trade-in is paid and its voucher issued together.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from reloop_contracts.amounts import Money
from reloop_shared.clock import Clock
from trade_in.domain import voucher_ledger as ledger
from trade_in.domain.voucher_codes import code_hash, code_hint, new_code
from trade_in.domain.voucher_ledger import Change
from trade_in.domain.voucher_refunds import sales_and_returns_in_order
from trade_in.domain.vouchers import IssueVoucher, RedeemForSale, RefundToVoucher, RequestHold, Voucher, VoucherNotFound
from trade_in.service_layer.voucher_ports import VoucherUnitOfWork, VoucherView

SWEEP_BATCH = 200
"""Vouchers a sweep claims per transaction: small enough to keep locks short."""
REFUND_VALIDITY = timedelta(days=30)
"""How long store credit given back by a return stays spendable at least (the policy's default)."""


@dataclass(frozen=True)
class IssuedVoucher:
    voucher_id: str
    code: str
    """The code in clear: given once, to whoever the voucher is for, and kept nowhere."""
    code_hint: str
    amount: Money
    expires_at: datetime


def new_voucher_id() -> str:
    return f"VCH-{uuid.uuid4().hex[:20].upper()}"


async def issue_within(cmd: IssueVoucher, uow: VoucherUnitOfWork, at: datetime) -> IssuedVoucher:
    """Issue a voucher inside a transaction the caller opened and commits."""
    code = new_code()
    voucher = Voucher(
        new_voucher_id(),
        code_hash(code),
        code_hint(code),
        cmd.market,
        cmd.amount,
        at,
        cmd.expires_at,
        customer_id=cmd.customer_id,
        trade_in_id=cmd.trade_in_id,
    )
    change = ledger.issued(voucher)
    await uow.vouchers.add(voucher)
    await _save(uow, [change])
    return IssuedVoucher(voucher.voucher_id, code, voucher.code_hint, voucher.amount, voucher.expires_at)


async def issue_voucher(cmd: IssueVoucher, uow: VoucherUnitOfWork, clock: Clock) -> IssuedVoucher:
    async with uow:
        issued = await issue_within(cmd, uow, clock.now())
        await uow.commit()
    return issued


@dataclass(frozen=True)
class SaleToRedeem:
    """A sale's voucher payments and the consumed event they came from (the cause of its events)."""

    command: RedeemForSale
    correlation_id: str
    causation_id: str
    trace_headers: Mapping[str, str] = field(default_factory=dict)


async def request_hold(cmd: RequestHold, uow: VoucherUnitOfWork, clock: Clock) -> Change:
    """Hold an amount of a voucher for a checkout or a till, or refuse with the reason; either way
    the answer is an event the requester waits for."""
    async with uow:
        found = await uow.vouchers.lock_by_code_hashes([cmd.code_hash], holds=[cmd.hold_id])
        change = ledger.hold(found.get(cmd.code_hash), cmd, clock.now())
        await _save(uow, [change])
        await uow.commit()
    return change


@dataclass(frozen=True)
class HoldToDecide:
    """A hold request and the consumed event it came from (the cause of its answer)."""

    command: RequestHold
    correlation_id: str
    causation_id: str
    trace_headers: Mapping[str, str] = field(default_factory=dict)


async def request_holds(requests: Sequence[HoldToDecide], uow: VoucherUnitOfWork, clock: Clock) -> list[Change]:
    """Decide a consumer batch's hold requests at once, as `redeem_for_sales` does its sales: their
    vouchers locked and loaded in one query, the ledger deciding the requests in the order they were
    asked, their entries saved in one statement, and each answer naming the request it answers."""
    if not requests:
        return []
    commands = [request.command for request in requests]
    async with uow:
        found = await uow.vouchers.lock_by_code_hashes(
            sorted({cmd.code_hash for cmd in commands}), holds=[cmd.hold_id for cmd in commands]
        )
        decided = ledger.hold_in_order(found, commands, clock.now())
        await uow.vouchers.save([change for change in decided if change.entries])
        for request, change in zip(requests, decided, strict=True):
            with uow.on_behalf_of(request.correlation_id, request.causation_id, request.trace_headers):
                uow.record(*change.events)
        await uow.commit()
    return decided


async def redeem_for_sale(cmd: RedeemForSale, uow: VoucherUnitOfWork, clock: Clock) -> list[Change]:
    """Apply the voucher payments of a sale, from a shop or online alike."""
    async with uow:
        found = await _lock_for(uow, [cmd])
        changes = ledger.redeem(found, cmd, clock.now())
        await _save(uow, changes)
        await uow.commit()
    return changes


@dataclass(frozen=True)
class ReturnToRefund:
    """A return's refunds onto vouchers and the consumed event they came from (the cause of its events)."""

    command: RefundToVoucher
    correlation_id: str
    causation_id: str
    trace_headers: Mapping[str, str] = field(default_factory=dict)


async def redeem_for_sales(sales: Sequence[SaleToRedeem], uow: VoucherUnitOfWork, clock: Clock) -> list[Change]:
    """Apply a consumer batch's sales at once (`apply_sales_and_returns`, with no return)."""
    return await apply_sales_and_returns(sales, uow, clock)


async def apply_sales_and_returns(
    batch: Sequence[SaleToRedeem | ReturnToRefund],
    uow: VoucherUnitOfWork,
    clock: Clock,
    *,
    refund_validity: timedelta = REFUND_VALIDITY,
) -> list[Change]:
    """Apply a consumer batch's sales and returns at once: every voucher they name is locked and
    loaded in one query (in voucher id order, so partitions' batches fighting over the same hot
    vouchers queue rather than deadlock), the ledger decides them in the batch's order (a sale,
    then its return), and all their entries are saved in one statement. Each one's events name the
    consumed event that caused them."""
    if not batch:
        return []
    commands = [item.command for item in batch]
    async with uow:
        found = await _lock_for(uow, commands)
        decided = sales_and_returns_in_order(found, commands, clock.now(), refund_validity)
        await uow.vouchers.save([c for changes in decided for c in changes if c.stored or c.shortfalls])
        for item, changes in zip(batch, decided, strict=True):
            with uow.on_behalf_of(item.correlation_id, item.causation_id, item.trace_headers):
                uow.record(*(event for change in changes for event in change.events))
        await uow.commit()
    return [change for changes in decided for change in changes]


async def _lock_for(uow: VoucherUnitOfWork, cmds: Sequence[RedeemForSale | RefundToVoucher]) -> dict[str, Voucher]:
    """The vouchers these sales pay with and these returns credit, locked, with the ledger entries
    their decisions read."""
    sales = [cmd for cmd in cmds if isinstance(cmd, RedeemForSale)]
    returns = [cmd for cmd in cmds if isinstance(cmd, RefundToVoucher)]
    hashes = {p.code_hash for cmd in sales for p in cmd.payments}
    hashes |= {r.code_hash for cmd in returns for r in cmd.refunds}
    return await uow.vouchers.lock_by_code_hashes(
        sorted(hashes),
        sales=sorted({cmd.sale_id for cmd in cmds}),
        holds=[p.hold_id for cmd in sales for p in cmd.payments if p.hold_id is not None],
    )


async def release_expired_holds(uow: VoucherUnitOfWork, clock: Clock, *, batch: int = SWEEP_BATCH) -> int:
    """One pass of the durable sweep: holds no sale converted in time give their amount back.
    Returns how many holds were released (the caller runs it again while it finds some)."""
    async with uow:
        at = clock.now()
        changes = [ledger.release_due_holds(v, at) for v in await uow.vouchers.claim_holds_due(at, batch)]
        await _save(uow, changes)
        await uow.commit()
    return sum(len(c.entries) for c in changes)


async def expire_vouchers(uow: VoucherUnitOfWork, clock: Clock, *, batch: int = SWEEP_BATCH) -> int:
    """One pass of the durable expiry sweep; returns how many vouchers it expired."""
    async with uow:
        at = clock.now()
        changes = [ledger.expire(v, at) for v in await uow.vouchers.claim_due_to_expire(at, batch)]
        await _save(uow, changes)
        await uow.commit()
    return sum(1 for c in changes if c.expired_at is not None)


async def voucher_balance(code: str, uow: VoucherUnitOfWork) -> VoucherView:
    """A voucher and its balance, found by its code."""
    async with uow:
        view = await uow.vouchers.view_by_code_hash(code_hash(code))
    if view is None:
        raise VoucherNotFound("no voucher has this code", field="code")
    return view


async def voucher_with_ledger(voucher_id: str, uow: VoucherUnitOfWork) -> VoucherView:
    async with uow:
        view = await uow.vouchers.view(voucher_id)
    if view is None:
        raise VoucherNotFound(f"no voucher {voucher_id}", field="voucher_id")
    return view


async def _save(uow: VoucherUnitOfWork, changes: list[Change]) -> None:
    await uow.vouchers.save([c for c in changes if c.stored or c.shortfalls])
    uow.record(*(event for change in changes for event in change.events))
