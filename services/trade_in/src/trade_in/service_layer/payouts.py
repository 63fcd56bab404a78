"""Paying for a device: by bank transfer through the payout port, or in store credit worth more.

The deny list is checked once more first: a device reported stolen since its receipt is put on
hold, not paid for. A payout asked again (a retry, a double click) answers what was paid, and the
payout port pays once per trade-in whatever happens above it.
"""

from __future__ import annotations

from dataclasses import dataclass

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.policy import TradeInPolicy
from trade_in.domain.trade_ins import TradeIn
from trade_in.domain.vouchers import IssueVoucher
from trade_in.service_layer.lookup import trade_in_of
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork
from trade_in.service_layer.vouchers import IssuedVoucher, issue_within


@dataclass(frozen=True)
class Payout:
    trade_in: TradeIn
    voucher: IssuedVoucher | None = None
    """The store credit issued now, its code in clear for the customer: it is kept nowhere else."""


async def pay_out(cmd: commands.PayOut, uow: TradeInUnitOfWork, clock: Clock, policy: TradeInPolicy) -> Payout:
    async with uow:
        trade_in = await trade_in_of(uow, cmd.trade_in_id)
        if trade_in.status == "paid":
            return Payout(trade_in)
        trade_in.ensure_payable()
        identifier = trade_in.device.identifier
        listed = await uow.deny_list.check(identifier) if identifier is not None else None
        now = clock.now()
        voucher: IssuedVoucher | None = None
        if listed is not None:
            trade_in.hold("deny_listed", listed, by=cmd.by, at=now)
        elif trade_in.payout_method == "voucher":
            voucher = await issue_within(
                IssueVoucher(
                    trade_in.market,
                    trade_in.payout_amount(),
                    now + policy.voucher_validity,
                    customer_id=trade_in.customer_id,
                    trade_in_id=trade_in.trade_in_id,
                ),
                uow,
                now,
            )
            trade_in.pay(voucher_id=voucher.voucher_id, payout_reference=None, by=cmd.by, at=now)
        else:
            reference = await uow.payouts.transfer(trade_in.trade_in_id, trade_in.payout_amount(), now)
            trade_in.pay(voucher_id=None, payout_reference=reference, by=cmd.by, at=now)
        await uow.trade_ins.save(trade_in)
        await uow.commit()
    return Payout(trade_in, voucher)
