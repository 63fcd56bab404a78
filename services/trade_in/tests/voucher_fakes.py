"""Vouchers in memory: the twin of `adapters/voucher_repository.py`, with the same answers and the
same refusals (a plain module: import what you use, never from conftest).

`VoucherTables` are the migrations' voucher tables; the trade-in twin keeps one in its own tables and
binds an `InMemoryVoucherRepository` on it. The unique indexes, CHECKs and the balance trigger of
`0002_vouchers.sql` and `0005_voucher_refunds.sql` are checked here too, so a rule the domain
forgot fails in unit tests as it would on PostgreSQL. `VoucherTwin` is a store and a unit of work
of vouchers alone, for the voucher tests; it keeps the domain events each commit recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.memory import InMemoryUnitOfWork, MemoryStore, MemoryTransaction
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.unit_of_work import Recorded
from trade_in.adapters.translators import to_contract
from trade_in.domain.voucher_ledger import Change, balance_of
from trade_in.domain.vouchers import Entry, RefundShortfall, Voucher, VoucherAlreadyIssued, VoucherEvent
from trade_in.service_layer.voucher_ports import VoucherRepository, VoucherView


class ConstraintViolation(AssertionError):
    """What PostgreSQL would refuse: the domain should never have asked for it."""


@dataclass
class VoucherTables:
    vouchers: dict[str, Voucher] = field(default_factory=dict)
    """By voucher id, without their entries (those live in `entries`)."""
    entries: list[tuple[str, Entry]] = field(default_factory=list)
    """(voucher id, entry), in the order they were appended."""
    refund_shortfalls: list[RefundShortfall] = field(default_factory=list)
    """`voucher_refund_shortfalls` (0005): one per return and code hash, in the order recorded."""

    def ledger(self, voucher_id: str) -> list[Entry]:
        return [e for of, e in self.entries if of == voucher_id]


class InMemoryVoucherRepository:
    def __init__(self, tables: VoucherTables) -> None:
        self.tables = tables

    async def add(self, voucher: Voucher) -> None:
        if voucher.voucher_id in self.tables.vouchers or any(
            v.code_hash == voucher.code_hash for v in self.tables.vouchers.values()
        ):
            raise ConstraintViolation(f"voucher {voucher.voucher_id} or its code hash exists already")
        if voucher.trade_in_id is not None and any(
            v.trade_in_id == voucher.trade_in_id for v in self.tables.vouchers.values()
        ):
            raise VoucherAlreadyIssued(
                f"trade-in {voucher.trade_in_id} was already paid with a voucher", field="trade_in_id"
            )
        self.tables.vouchers[voucher.voucher_id] = replace(voucher, entries=[])

    async def lock_by_code_hashes(
        self, code_hashes: Sequence[str], *, sales: Sequence[str] = (), holds: Sequence[str] = ()
    ) -> dict[str, Voucher]:
        # No lock to take: the twin's transactions run one at a time.
        wanted = set(code_hashes)
        found = self._working(self.tables.vouchers.values(), sales, holds)
        return {v.code_hash: v for v in found if v.code_hash in wanted}

    async def lock(self, voucher_ids: Sequence[str]) -> list[Voucher]:
        return self._working(self.tables.vouchers[i] for i in voucher_ids if i in self.tables.vouchers)

    async def claim_holds_due(self, at: datetime, limit: int) -> list[Voucher]:
        released = {e.hold_id for _, e in self.tables.entries if e.kind == "release"}
        due = {
            of
            for of, e in self.tables.entries
            if e.kind == "hold" and e.held_until is not None and e.held_until <= at and e.hold_id not in released
        }
        return self._working(self.tables.vouchers[i] for i in due)[:limit]

    async def claim_due_to_expire(self, at: datetime, limit: int) -> list[Voucher]:
        due = (v for v in self.tables.vouchers.values() if v.expired_at is None and v.expires_at <= at)
        return self._working(due)[:limit]

    async def save(self, changes: Sequence[Change]) -> None:
        for change in changes:
            self._keep_shortfalls(change.shortfalls)
            if not change.stored:
                continue
            if change.voucher_id not in self.tables.vouchers:
                raise ConstraintViolation(f"no voucher {change.voucher_id} to append to")
            for entry in change.entries:
                self._check_entry(change.voucher_id, entry)
                self.tables.entries.append((change.voucher_id, entry))
            voucher = self.tables.vouchers[change.voucher_id]
            if change.expired_at is not None:
                voucher = self.tables.vouchers[change.voucher_id] = replace(voucher, expired_at=change.expired_at)
            if change.expires_at is not None:
                self.tables.vouchers[change.voucher_id] = replace(
                    voucher, expires_at=change.expires_at, expired_at=None
                )
        for voucher_id in {c.voucher_id for c in changes if c.stored}:
            voucher = self.tables.vouchers[voucher_id]
            if balance_of(self.tables.ledger(voucher_id), voucher.currency).amount_minor < 0:
                raise ConstraintViolation(f"voucher {voucher_id} would go below zero")

    async def refund_shortfalls(self, sale_id: str) -> list[RefundShortfall]:
        return [s for s in self.tables.refund_shortfalls if s.sale_id == sale_id]

    def _keep_shortfalls(self, shortfalls: Iterable[RefundShortfall]) -> None:
        for shortfall in shortfalls:
            if shortfall.voucher_id is not None and shortfall.voucher_id not in self.tables.vouchers:
                raise ConstraintViolation(f"no voucher {shortfall.voucher_id} for a refund shortfall")
            recorded = {(s.return_id, s.code_hash) for s in self.tables.refund_shortfalls}
            if (shortfall.return_id, shortfall.code_hash) not in recorded:  # ON CONFLICT DO NOTHING
                self.tables.refund_shortfalls.append(shortfall)

    async def view_by_code_hash(self, code_hash: str) -> VoucherView | None:
        found = [v for v in self.tables.vouchers.values() if v.code_hash == code_hash]
        return self._view(found[0]) if found else None

    async def view(self, voucher_id: str) -> VoucherView | None:
        voucher = self.tables.vouchers.get(voucher_id)
        return self._view(voucher) if voucher else None

    def _view(self, voucher: Voucher) -> VoucherView:
        loaded = self._loaded([voucher])[0]
        return VoucherView(loaded, balance_of(loaded.entries, loaded.currency))

    def _loaded(self, vouchers: Iterable[Voucher]) -> list[Voucher]:
        """Copies with their ledgers, in voucher id order (the order PostgreSQL locks them in)."""
        rows = sorted(vouchers, key=lambda v: v.voucher_id)
        return [replace(v, entries=self.tables.ledger(v.voucher_id)) for v in rows]

    def _working(
        self, vouchers: Iterable[Voucher], sales: Sequence[str] = (), holds: Sequence[str] = ()
    ) -> list[Voucher]:
        """Copies with what a decision reads of their ledgers, as PostgreSQL loads them: open holds,
        the entries of the holds and sales named, and the sum of the rest carried."""
        released = {e.hold_id for _, e in self.tables.entries if e.kind == "release"}

        def needed(e: Entry) -> bool:
            open_hold = e.kind == "hold" and e.hold_id not in released
            return open_hold or e.hold_id in holds or (e.kind in ("redeem", "refund") and e.sale_id in sales)

        loaded = []
        for voucher in self._loaded(vouchers):
            read = [e for e in voucher.entries if needed(e)]
            rest = balance_of(voucher.entries, voucher.currency) - balance_of(read, voucher.currency)
            loaded.append(replace(voucher, entries=read, carried_minor=rest.amount_minor))
        return loaded

    def _check_entry(self, voucher_id: str, entry: Entry) -> None:
        if (entry.kind in ("redeem", "refund")) != (entry.sale_id is not None):
            raise ConstraintViolation(f"a {entry.kind} entry names a sale iff it is a redemption or a refund")
        if (entry.kind == "refund") != (entry.return_id is not None):
            raise ConstraintViolation(f"a {entry.kind} entry names a return iff it is a refund")
        for of, other in self.tables.entries:
            same_hold = entry.hold_id is not None and other.hold_id == entry.hold_id and other.kind == entry.kind
            if same_hold and entry.kind in ("hold", "release", "redeem"):
                raise ConstraintViolation(f"a second {entry.kind} of hold {entry.hold_id}")
            if entry.kind == other.kind == "redeem" and of == voucher_id and other.sale_id == entry.sale_id:
                raise ConstraintViolation(f"sale {entry.sale_id} redeems voucher {voucher_id} twice")
            if entry.kind == other.kind == "refund" and of == voucher_id and other.return_id == entry.return_id:
                raise ConstraintViolation(f"return {entry.return_id} refunds voucher {voucher_id} twice")


@dataclass
class VoucherStoreTables:
    vouchers: VoucherTables = field(default_factory=VoucherTables)
    events: list[VoucherEvent] = field(default_factory=list)
    """The domain events of committed transactions, in order."""


class InMemoryVoucherUnitOfWork(InMemoryUnitOfWork[VoucherEvent, VoucherStoreTables]):
    """Vouchers alone on memory: their contract events go to the store's outbox as the service's
    do, and their domain events are kept in the store as they commit, so a rolled back
    transaction leaves neither."""

    vouchers: VoucherRepository

    def __init__(
        self,
        store: MemoryStore[VoucherStoreTables] | None = None,
        *,
        transaction: MemoryTransaction[VoucherStoreTables] | None = None,
    ) -> None:
        """On a store (its own transaction) or joining a consumer's `transaction`."""
        super().__init__(OutboxWriter("trade-in"), to_contract, store=store, transaction=transaction)

    def bind(self, tables: VoucherStoreTables) -> None:
        self.vouchers = InMemoryVoucherRepository(tables.vouchers)

    async def on_commit(self, recorded: list[Recorded[VoucherEvent]]) -> None:
        self.tx.tables.events.extend(item.event for item in recorded)


class VoucherTwin:
    def __init__(self, clock: FixedClock) -> None:
        self.store: MemoryStore[VoucherStoreTables] = MemoryStore(VoucherStoreTables())
        self.clock = clock

    @property
    def events(self) -> list[VoucherEvent]:
        return self.store.tables.events

    def unit_of_work(self) -> InMemoryVoucherUnitOfWork:
        return InMemoryVoucherUnitOfWork(self.store)

    @staticmethod
    def joining(transaction: MemoryTransaction[VoucherStoreTables]) -> InMemoryVoucherUnitOfWork:
        return InMemoryVoucherUnitOfWork(transaction=transaction)

    def balance(self, voucher_id: str) -> Money:
        voucher = self.store.tables.vouchers.vouchers[voucher_id]
        return balance_of(self.store.tables.vouchers.ledger(voucher_id), voucher.currency)
