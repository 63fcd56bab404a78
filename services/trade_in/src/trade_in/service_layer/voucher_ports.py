"""What the voucher use cases need of storage and of their unit of work, as protocols: PostgreSQL
(`adapters/voucher_repository.py`) and the twin (`tests/voucher_fakes.py`) give the same answers.

The loads meant for a decision lock the vouchers until the commit, always in voucher id order, so
two transactions wanting the same vouchers queue instead of deadlocking, and then read what the
decision needs of their ledgers in the same transaction: the open holds, every entry of the holds
and sales named, and the sum of the rest (`Voucher.carried_minor`). A hot voucher's history grows
with every sale; reading it all back for each decision would make each sale slower than the last.
The views return the whole ledger.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self

from reloop_contracts.amounts import Money
from reloop_shared.outbox.cause import Cause
from trade_in.domain.voucher_ledger import Change
from trade_in.domain.vouchers import RefundShortfall, Voucher, VoucherEvent


@dataclass(frozen=True)
class VoucherView:
    """A voucher as it is read: its balance summed by the store from the ledger."""

    voucher: Voucher
    balance: Money


class VoucherRepository(Protocol):
    async def add(self, voucher: Voucher) -> None:
        """Store a new voucher (its ledger comes with the first `save`); a second voucher for the
        same trade-in is refused with `VoucherAlreadyIssued`."""
        ...

    async def lock_by_code_hashes(
        self, code_hashes: Sequence[str], *, sales: Sequence[str] = (), holds: Sequence[str] = ()
    ) -> dict[str, Voucher]:
        """The vouchers with these code hashes, by hash, locked in voucher id order, with their
        open holds and the entries of these holds and the redemptions and refunds of these sales."""
        ...

    async def lock(self, voucher_ids: Sequence[str]) -> list[Voucher]:
        """These vouchers, locked in voucher id order (unknown ids are left out), with their open
        holds."""
        ...

    async def claim_holds_due(self, at: datetime, limit: int) -> list[Voucher]:
        """Vouchers with an open hold due by `at`, locked; those another transaction holds are
        skipped, so several sweepers share the work."""
        ...

    async def claim_due_to_expire(self, at: datetime, limit: int) -> list[Voucher]:
        """Vouchers not yet expired whose expiry is past `at`, locked, skipping those in use."""
        ...

    async def save(self, changes: Sequence[Change]) -> None:
        """Append the changes' entries to their ledgers, mark the vouchers they expired, give the
        ones a refund moved their new expiry (no longer expired) and keep their refund shortfalls
        (a return's shortfall on a voucher is kept once, however often it is delivered)."""
        ...

    async def refund_shortfalls(self, sale_id: str) -> list[RefundShortfall]:
        """The store credit returns of this sale asked for and did not get, in the order recorded."""
        ...

    async def view_by_code_hash(self, code_hash: str) -> VoucherView | None: ...

    async def view(self, voucher_id: str) -> VoucherView | None: ...


class VoucherUnitOfWork(Protocol):
    """What the voucher handlers use of a unit of work (`reloop_shared.unit_of_work.UnitOfWork`'s
    own interface): the trade-in's unit of work is one once it carries `vouchers`."""

    @property
    def vouchers(self) -> VoucherRepository: ...

    def record(self, *events: VoucherEvent) -> None: ...

    def on_behalf_of(
        self, correlation_id: str, causation_id: str, trace_headers: Mapping[str, str] | None = None
    ) -> AbstractContextManager[Cause]: ...

    async def commit(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
