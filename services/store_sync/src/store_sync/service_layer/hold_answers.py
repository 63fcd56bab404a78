"""Trade-in's answers to the tills' hold requests, read from the vouchers topic.

That topic carries every voucher's ledger and the answers to orders' holds too: an answer that is
not to one of store-sync's holds changes nothing (skipped, never dead-lettered).
"""

from __future__ import annotations

from store_sync.domain import commands
from store_sync.domain.voucher_holds import REQUESTER
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


def _ours(requested_by: str | None) -> bool:
    # Refusals written before requests travelled as events name no requester: looked up by id.
    return requested_by in (None, REQUESTER)


async def when_voucher_held_record_it(cmd: commands.RecordVoucherHeld, uow: StoreSyncUnitOfWork) -> bool:
    """True when one of store-sync's pending holds took the answer."""
    if not _ours(cmd.requested_by):
        return False
    async with uow:
        hold = await uow.voucher_holds.by_request(cmd.request_id, for_update=True)
        if hold is None or not hold.held(cmd.voucher_id, cmd.held_until, cmd.at):
            return False
        await uow.voucher_holds.save_answer(hold)
        await uow.commit()
    return True


async def when_hold_refused_record_it(cmd: commands.RecordHoldRefused, uow: StoreSyncUnitOfWork) -> bool:
    """True when one of store-sync's pending holds took the refusal."""
    if not _ours(cmd.requested_by):
        return False
    async with uow:
        hold = await uow.voucher_holds.by_request(cmd.request_id, for_update=True)
        if hold is None or not hold.refused(cmd.voucher_id, cmd.reason, cmd.at):
            return False
        await uow.voucher_holds.save_answer(hold)
        await uow.commit()
    return True
