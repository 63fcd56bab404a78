"""The right to be forgotten, as far as orders holds personal data (see adapters/personal_data)."""

from __future__ import annotations

import uuid

from orders.domain import commands
from orders.service_layer.ports import Sealer
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts.privacy import ErasureCompleted
from reloop_shared.clock import Clock

SERVICE = "orders"


async def when_erasure_requested_forget_the_customer(
    cmd: commands.EraseCustomer, uow: OrdersUnitOfWork, sealer: Sealer, clock: Clock
) -> int:
    async with uow:
        erased = await uow.personal.erase(cmd.customer_ids, cmd.subject_ids, f"erased:{uuid.uuid4()}")
        # The keys are destroyed before the commit: every sealed copy, on every topic, is unreadable
        # from then on whatever happens to this transaction (a retry finds the same rows again).
        keys = await sealer.destroy(erased.subject_ids)
        uow.publish(
            ErasureCompleted(
                request_id=cmd.request_id,
                service=SERVICE,
                records_erased=erased.records,
                detail=(
                    "account ids on carts and orders pseudonymised; payment tokens, sealed contact details, "
                    f"consents and data subjects dropped; {keys} subject key(s) destroyed; "
                    f"{erased.published_events} published event(s) dropped from the outbox"
                ),
                completed_at=clock.now(),
            )
        )
        await uow.commit()
    return erased.records
