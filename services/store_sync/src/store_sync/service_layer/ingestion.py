"""Recording a shop's transactions: the one path every upload takes, connected or offline, in
reloop's format or mapped from a partner's, first sent or replayed from quarantine.

Under the shop's row lock, in one database transaction: which transactions are new, the customer
policy applied (contact details sealed only where it allows), every new transaction and device
written in bulk, and every outgoing event written to the outbox with one statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.domain.errors import StoreSyncError
from store_sync.domain.idempotency import fingerprint
from store_sync.domain.journal import Outcome, Submitted
from store_sync.domain.rules import checked
from store_sync.domain.shops import Shop
from store_sync.service_layer.ports import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def ingest(
    cmd: commands.IngestTransactions, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> list[Outcome]:
    """Record an upload in reloop's format: every transaction meets the rules, or none is applied."""
    at = clock.now()
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
    if journal.closes:
        # A close compares the till's totals with what is on record, this upload included: read
        # once it is saved.
        days = journal.closed_days
        journal.close_days(await uow.journal.days(shop, days), await uow.quarantine.open_counts(shop.shop_id, days))
    uow.track(journal)
    return outcomes
