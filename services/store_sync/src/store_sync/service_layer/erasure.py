"""The right to be forgotten, as far as store-sync holds personal data (see adapters/personal_data)."""

from __future__ import annotations

from reloop_contracts.privacy import ErasureCompleted
from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.service_layer.ports import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork

SERVICE = "store-sync"


async def when_erasure_requested_forget_the_customer(
    cmd: commands.EraseSubjects, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> int:
    async with uow:
        erased = await uow.personal.erase(cmd.subject_ids, cmd.customer_ids)
        # The keys are destroyed before the commit: every sealed copy, on every topic, is unreadable
        # from then on whatever happens to this transaction (a retry finds the same rows again).
        keys = await sealer.destroy(erased.subject_ids)
        if cmd.confirm:
            uow.publish(
                ErasureCompleted(
                    request_id=cmd.request_id,
                    service=SERVICE,
                    records_erased=erased.records,
                    detail=f"account ids and sealed contact details dropped; {keys} subject key(s) destroyed",
                    completed_at=clock.now(),
                )
            )
        await uow.commit()
    return erased.records
