"""The sweep that keeps time promises: quotes past their expiry expire, counter-offers left
unanswered take the configured default. Run periodically; the rows are the schedule (no timer in
memory), claimed so that two sweeps never take the same trade-in."""

from __future__ import annotations

from reloop_shared.clock import Clock
from trade_in.domain.policy import TradeInPolicy
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork

BATCH = 200


async def sweep_deadlines(uow: TradeInUnitOfWork, clock: Clock, policy: TradeInPolicy, *, batch: int = BATCH) -> int:
    """Settle one batch of what is due; the number settled (a full batch: call again)."""
    async with uow:
        now = clock.now()
        due = await uow.trade_ins.due(now, batch)
        for trade_in in due:
            if trade_in.status == "counter_offered":
                trade_in.lapse_counter_offer(policy.counter_offers, at=now)
            else:
                trade_in.expire(at=now)
            await uow.trade_ins.save(trade_in)
        await uow.commit()
    return len(due)
