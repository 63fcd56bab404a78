"""The right to be forgotten, as far as orders holds personal data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from orders.adapters.personal_data import CustomerRecords
from orders.service_layer.unit_of_work import OrdersUnitOfWork
from reloop_contracts.privacy import ErasureCompleted


@dataclass(frozen=True)
class EraseCustomer:
    request_id: str
    customer_ids: tuple[str, ...]


async def when_erasure_requested_pseudonymise_the_customer(
    cmd: EraseCustomer, uow: OrdersUnitOfWork, now: datetime
) -> int:
    async with uow:
        erased = await CustomerRecords(uow.conn).pseudonymise(cmd.customer_ids, f"erased:{uuid.uuid4()}")
        uow.publish(
            ErasureCompleted(
                request_id=cmd.request_id,
                service="orders",
                records_erased=erased,
                detail="account ids on carts and orders pseudonymised; payment tokens dropped",
                completed_at=now,
            )
        )
        await uow.commit()
    return erased
