"""Recording a shop's transactions: the one path every upload takes, connected or offline, in
reloop's format or mapped from a partner's, first sent or replayed from quarantine.

Under the shop's row lock, in one database transaction: which transactions are new, the customer
policy applied (contact details sealed only where it allows), every new transaction and device
written in bulk, and every outgoing event written to the outbox with one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from store_sync.domain import commands
from store_sync.domain.errors import StoreSyncError
from store_sync.domain.ids import fingerprint
from store_sync.domain.journal import Outcome, Submitted
from store_sync.domain.policy import Sealed
from store_sync.domain.rules import checked
from store_sync.domain.shops import Shop
from store_sync.domain.transactions import DayClose
from store_sync.service_layer.clock import Clock, utc_now
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


class Sealer(Protocol):
    async def seal_all(self, requests: Sequence[tuple[str, dict[str, str]]]) -> dict[str, Sealed | None]: ...

    async def open(self, sealed: Sealed) -> dict[str, str] | None: ...

    async def destroy(self, subject_ids: Sequence[str]) -> int: ...


async def ingest(
    cmd: commands.IngestTransactions, uow: StoreSyncUnitOfWork, sealer: Sealer, now: Clock = utc_now
) -> list[Outcome]:
    """Record an upload in reloop's format: every transaction meets the rules, or none is applied."""
    at = now()
    async with uow:
        shop = await uow.shops.lock(cmd.shop_id)
        submitted = []
        for n, txn in enumerate(cmd.transactions):
            try:
                valid = checked(txn, shop, at)
            except StoreSyncError as error:
                raise error.under(f"transactions.{n}") from error
            submitted.append(Submitted(valid, fingerprint(valid)))
        outcomes = await record(shop, submitted, uow, sealer)
        await uow.commit()
    return outcomes


async def record(shop: Shop, submitted: Sequence[Submitted], uow: StoreSyncUnitOfWork, sealer: Sealer) -> list[Outcome]:
    """Record checked transactions of a locked shop inside the caller's unit of work."""
    if not submitted:
        return []
    journal = await uow.journal.open(shop, submitted)
    outcomes = journal.accept(submitted)
    requests = journal.sealing_requests()
    journal.record(await sealer.seal_all(requests) if requests else {})
    await uow.journal.save(journal)
    for close in journal.closes:
        assert isinstance(close.txn, DayClose)
        business_date = close.txn.business_date
        totals = await uow.journal.day(shop, business_date)
        journal.close_day(close, totals, await uow.quarantine.open_count(shop.shop_id, business_date))
    uow.track(journal)
    return outcomes
