"""The voucher rules on the real PostgreSQL: locks, unique indexes and the balance trigger hold
under concurrency, from both channels at once.

Each test migrates a database of its own (the shared tables and the trade-in's migrations, as the
service does at start) and runs the handlers on units of work of their own connections.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import asyncpg
import pytest

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Connection, Pool
from reloop_shared.outbox.writer import OutboxWriter
from reloop_shared.postgres_unit_of_work import PostgresUnitOfWork
from reloop_shared.unit_of_work import Recorded
from trade_in.adapters.translators import to_contract
from trade_in.adapters.voucher_repository import PostgresVoucherRepository
from trade_in.domain.voucher_codes import code_hash
from trade_in.domain.vouchers import (
    IssueVoucher,
    RedeemForSale,
    RefundToVoucher,
    RequestHold,
    VoucherEvent,
    VoucherExpired,
    VoucherHeld,
    VoucherHoldRefused,
    VoucherOverdrawn,
    VoucherPayment,
    VoucherRedeemed,
    VoucherRefund,
    VoucherRefunded,
    VoucherReleased,
)
from trade_in.service_layer import vouchers
from trade_in.service_layer.voucher_ports import VoucherRepository
from trade_in.service_layer.vouchers import IssuedVoucher

pytestmark = pytest.mark.connected

E = TypeVar("E", bound=VoucherEvent)
NOW = datetime.now(UTC).replace(microsecond=0)
MIGRATIONS = [SHARED, MigrationSource("trade-in", "trade_in", "migrations")]


class VoucherUnitOfWork(PostgresUnitOfWork[VoucherEvent]):
    """The vouchers' repository on a transaction of its own, writing the service's contract events
    to the outbox as the service does; the domain events of what committed are also kept in
    `published`, for the assertions."""

    vouchers: VoucherRepository

    def __init__(self, pool: Pool, published: list[VoucherEvent]) -> None:
        super().__init__(OutboxWriter("trade-in"), to_contract, pool=pool)
        self.published = published
        self._committing: list[VoucherEvent] = []

    def bind(self, conn: Connection) -> None:
        self.vouchers = PostgresVoucherRepository(conn)

    async def on_commit(self, recorded: list[Recorded[VoucherEvent]]) -> None:
        self._committing = [item.event for item in recorded]

    async def _commit_transaction(self) -> None:
        await super()._commit_transaction()
        self.published.extend(self._committing)


class Vouchers:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(NOW)
        self.published: list[VoucherEvent] = []

    def uow(self) -> VoucherUnitOfWork:
        return VoucherUnitOfWork(self.pool, self.published)

    async def issue(self, amount: int, currency: str = "EUR", market: str = "FR") -> IssuedVoucher:
        command = IssueVoucher(market, Money(amount, currency), NOW + timedelta(days=90))
        return await vouchers.issue_voucher(command, self.uow(), self.clock)

    async def balance(self, voucher_id: str) -> int:
        total: int = await self.pool.fetchval(
            """
            SELECT SUM(CASE WHEN kind IN ('issue', 'release', 'refund') THEN amount_minor ELSE -amount_minor END)
            FROM voucher_entries WHERE voucher_id = $1
            """,
            voucher_id,
        )
        return total

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.published if isinstance(e, kind)]

    async def running_balances_apart_from_their_ledgers(self) -> list[tuple[str, int, int]]:
        """Vouchers whose running balance is not the sum of their ledger: (id, running, summed)."""
        rows = await self.pool.fetch(
            """
            SELECT v.voucher_id, v.balance_minor,
                   COALESCE(SUM(CASE WHEN e.kind IN ('issue', 'release', 'refund') THEN e.amount_minor
                                     ELSE -e.amount_minor END), 0)::bigint AS summed
            FROM vouchers v LEFT JOIN voucher_entries e ON e.voucher_id = v.voucher_id
            GROUP BY v.voucher_id
            """
        )
        assert rows, "no vouchers to compare"
        return [(r["voucher_id"], r["balance_minor"], r["summed"]) for r in rows if r["balance_minor"] != r["summed"]]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Vouchers]:
    pool = await create_pool(database_url, size=20)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        yield Vouchers(pool)
    finally:
        await pool.close()


def eur(cents: int) -> Money:
    return Money(cents, "EUR")


def sale(sale_id: str, *payments: VoucherPayment, channel: str = "own_shop", basket: int = 20_000) -> RedeemForSale:
    shop = None if channel == "online" else "PAR-01"
    return RedeemForSale(sale_id, channel, shop, "FR", eur(basket), payments, NOW)  # type: ignore[arg-type]


async def test_a_hundred_concurrent_redemptions_from_both_channels_never_spend_more_than_the_voucher(
    store: Vouchers,
) -> None:
    issued = await store.issue(10_000)

    async def online(n: int) -> None:
        hold = RequestHold(f"H-{n}", code_hash(issued.code), eur(300), "FR", "orders", NOW + timedelta(minutes=15))
        answer = await vouchers.request_hold(hold, store.uow(), store.clock)
        if isinstance(answer.events[0], VoucherHeld):
            checkout = sale(f"ORD-{n}", VoucherPayment(code_hash(issued.code), eur(300), f"H-{n}"), channel="online")
            await vouchers.redeem_for_sale(checkout, store.uow(), store.clock)

    async def in_shop(n: int) -> None:
        await vouchers.redeem_for_sale(
            sale(f"S-{n}", VoucherPayment(code_hash(issued.code), eur(300))), store.uow(), store.clock
        )

    await asyncio.gather(*(online(n) if n % 2 else in_shop(n) for n in range(100)))

    redeemed = sum(e.amount.amount_minor for e in store.of(VoucherRedeemed))
    assert redeemed <= 10_000
    assert await store.balance(issued.voucher_id) == 10_000 - redeemed >= 0
    refused = store.of(VoucherHoldRefused)
    overdrawn = store.of(VoucherOverdrawn)
    assert {e.reason for e in [*refused, *overdrawn]} <= {"insufficient_balance"}
    fully_paid = [e for e in store.of(VoucherRedeemed) if e.amount == eur(300)]
    # Every one of the hundred is accounted for: paid in full, short with the reason, or refused.
    assert len(fully_paid) + len(overdrawn) + len(refused) == 100
    # Each decision's events went to the outbox in its own transaction, as valid contract events.
    assert await store.pool.fetchval("SELECT count(*) FROM outbox") == len(store.published)
    assert await store.running_balances_apart_from_their_ledgers() == []
    print(
        len(fully_paid), len(overdrawn), len(refused), redeemed, [e.hold_id is not None for e in fully_paid].count(True)
    )


async def test_sales_paying_with_the_same_two_vouchers_in_opposite_orders_never_deadlock(store: Vouchers) -> None:
    first, second = await store.issue(5_000), await store.issue(5_000)

    async def pay(n: int) -> None:
        pair = [VoucherPayment(code_hash(first.code), eur(100)), VoucherPayment(code_hash(second.code), eur(100))]
        await vouchers.redeem_for_sale(sale(f"S-{n}", *(pair if n % 2 else pair[::-1])), store.uow(), store.clock)

    await asyncio.wait_for(asyncio.gather(*(pay(n) for n in range(40))), timeout=60)
    assert await store.balance(first.voucher_id) == await store.balance(second.voucher_id) == 1_000
    assert await store.running_balances_apart_from_their_ledgers() == []


async def test_consumer_batches_on_the_same_hot_vouchers_at_once_never_overspend_and_keep_the_running_balance(
    store: Vouchers,
) -> None:
    hot = [await store.issue(6_000) for _ in range(3)]
    for n, voucher in enumerate(hot):  # holds placed before, converted by some of the batches' sales
        hold = RequestHold(f"H-{n}", code_hash(voucher.code), eur(500), "FR", "orders", NOW + timedelta(minutes=15))
        await vouchers.request_hold(hold, store.uow(), store.clock)

    def batch(partition: int) -> list[vouchers.SaleToRedeem]:
        # Each partition's sales name the hot vouchers in another order, as a round robin of tills does.
        sales_ = []
        for n in range(30):
            voucher = hot[(n + partition) % len(hot)]
            hold_id = f"H-{hot.index(voucher)}" if n < 3 and partition == 0 else None
            payment = VoucherPayment(code_hash(voucher.code), eur(500 if hold_id else 300), hold_id)
            sales_.append(vouchers.SaleToRedeem(sale(f"P{partition}-S{n}", payment), "corr", f"P{partition}-S{n}"))
        return sales_

    batches = [batch(p) for p in range(6)]
    await asyncio.wait_for(
        asyncio.gather(*(vouchers.redeem_for_sales(b, store.uow(), store.clock) for b in batches)), timeout=60
    )

    redeemed: dict[str, int] = {}
    for event in store.of(VoucherRedeemed):
        redeemed[event.voucher_id] = redeemed.get(event.voucher_id, 0) + event.amount.amount_minor
    assert all(redeemed.get(v.voucher_id, 0) <= 6_000 for v in hot)
    for voucher in hot:
        assert await store.balance(voucher.voucher_id) == 6_000 - redeemed.get(voucher.voucher_id, 0) >= 0
    assert await store.running_balances_apart_from_their_ledgers() == []
    # Every sale of every batch is accounted for: paid in full or told short, with the reason.
    told = {e.sale_id for e in store.of(VoucherOverdrawn)}
    paid_in_full = {e.sale_id for e in store.of(VoucherRedeemed) if e.sale_id not in told}
    assert len(told | paid_in_full) == 6 * 30
    assert {e.reason for e in store.of(VoucherOverdrawn)} == {"insufficient_balance"}
    assert sorted(e.hold_id for e in store.of(VoucherRedeemed) if e.hold_id) == ["H-0", "H-1", "H-2"]


async def test_a_sale_twice_in_one_batch_redeems_once_and_a_hold_is_converted_once(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    hold = RequestHold("H-1", code_hash(issued.code), eur(1_000), "FR", "orders", NOW + timedelta(minutes=15))
    await vouchers.request_hold(hold, store.uow(), store.clock)
    converting = VoucherPayment(code_hash(issued.code), eur(1_000), "H-1")
    run = [
        sale("ORD-1", converting, channel="online"),
        sale("ORD-1", converting, channel="online"),
        sale("ORD-2", converting, channel="online"),
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(3_500))),
    ]
    batch = [vouchers.SaleToRedeem(cmd, "corr", f"event-{n}") for n, cmd in enumerate(run)]
    await vouchers.redeem_for_sales(batch, store.uow(), store.clock)
    assert [(e.sale_id, e.amount, e.hold_id) for e in store.of(VoucherRedeemed)] == [
        ("ORD-1", eur(1_000), "H-1"),
        ("S-1", eur(3_500), None),
    ]
    assert [(e.sale_id, e.reason) for e in store.of(VoucherOverdrawn)] == [("ORD-2", "hold_already_redeemed")]
    assert await store.balance(issued.voucher_id) == 500
    assert await store.running_balances_apart_from_their_ledgers() == []
    # Each sale's events name the event it came from.
    rows = await store.pool.fetch("SELECT event_type, value FROM outbox ORDER BY id")
    assert [(r["event_type"], json.loads(r["value"])["causation_id"]) for r in rows][-3:] == [
        ("VoucherRedeemed", "event-0"),
        ("VoucherOverdrawn", "event-2"),
        ("VoucherRedeemed", "event-3"),
    ]


async def test_the_ledger_is_appended_to_never_rewritten(store: Vouchers) -> None:
    issued = await store.issue(1_000)
    async with store.pool.acquire() as conn:
        with pytest.raises(asyncpg.RestrictViolationError):
            await conn.execute("UPDATE voucher_entries SET amount_minor = 5 WHERE voucher_id = $1", issued.voucher_id)
        with pytest.raises(asyncpg.RestrictViolationError):
            await conn.execute("DELETE FROM voucher_entries WHERE voucher_id = $1", issued.voucher_id)
    assert await store.balance(issued.voucher_id) == 1_000
    assert await store.running_balances_apart_from_their_ledgers() == []


async def test_an_offline_redemption_of_a_spent_voucher_records_the_shortfall(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    await vouchers.redeem_for_sale(
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(4_000))), store.uow(), store.clock
    )
    await vouchers.redeem_for_sale(
        sale("S-2", VoucherPayment(code_hash(issued.code), eur(2_500))), store.uow(), store.clock
    )
    await vouchers.redeem_for_sale(
        sale("S-3", VoucherPayment(code_hash(issued.code), eur(700))), store.uow(), store.clock
    )
    overdrawn = [(e.sale_id, e.redeemed, e.shortfall) for e in store.of(VoucherOverdrawn)]
    assert overdrawn == [("S-2", eur(1_000), eur(1_500)), ("S-3", eur(0), eur(700))]
    assert await store.balance(issued.voucher_id) == 0


async def test_an_online_hold_that_expires_gives_its_amount_back_and_a_hold_is_redeemed_once(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    for hold_id in ("H-late", "H-used"):
        hold = RequestHold(hold_id, code_hash(issued.code), eur(2_000), "FR", "orders", NOW + timedelta(minutes=15))
        await vouchers.request_hold(hold, store.uow(), store.clock)
    assert await store.balance(issued.voucher_id) == 1_000
    converting = VoucherPayment(code_hash(issued.code), eur(2_000), "H-used")
    await vouchers.redeem_for_sale(sale("ORD-1", converting, channel="online"), store.uow(), store.clock)
    await vouchers.redeem_for_sale(sale("ORD-2", converting, channel="online"), store.uow(), store.clock)
    store.clock.advance(timedelta(minutes=15))
    assert await vouchers.release_expired_holds(store.uow(), store.clock) == 1
    assert await vouchers.release_expired_holds(store.uow(), store.clock) == 0
    assert [e.hold_id for e in store.of(VoucherReleased)] == ["H-late"]
    [twice] = store.of(VoucherOverdrawn)
    assert (twice.sale_id, twice.reason, twice.redeemed) == ("ORD-2", "hold_already_redeemed", eur(0))
    assert await store.balance(issued.voucher_id) == 3_000


async def test_an_expired_voucher_is_refused_with_the_reason(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    store.clock.set(issued.expires_at)
    assert await vouchers.expire_vouchers(store.uow(), store.clock) == 1
    hold = RequestHold(
        "H-1", code_hash(issued.code), eur(100), "FR", "store-sync", store.clock.now() + timedelta(minutes=5)
    )
    answer = await vouchers.request_hold(hold, store.uow(), store.clock)
    assert answer.events == (VoucherHoldRefused("H-1", issued.voucher_id, "expired", "store-sync", store.clock.now()),)
    await vouchers.redeem_for_sale(
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(100))), store.uow(), store.clock
    )
    assert [e.reason for e in store.of(VoucherOverdrawn)] == ["expired"]
    assert await store.balance(issued.voucher_id) == 0


async def test_a_payment_in_the_wrong_currency_is_refused_and_nothing_is_taken(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    hold = RequestHold("H-1", code_hash(issued.code), Money(100, "GBP"), "GB", "store-sync", NOW + timedelta(minutes=5))
    answer = await vouchers.request_hold(hold, store.uow(), store.clock)
    assert answer.events == (VoucherHoldRefused("H-1", issued.voucher_id, "wrong_currency", "store-sync", NOW),)
    pounds = Money(900, "GBP")
    london = RedeemForSale(
        "S-1", "own_shop", "LON-01", "GB", pounds, (VoucherPayment(code_hash(issued.code), pounds),), NOW
    )
    await vouchers.redeem_for_sale(london, store.uow(), store.clock)
    assert [(e.reason, e.shortfall) for e in store.of(VoucherOverdrawn)] == [("wrong_currency", pounds)]
    assert await store.balance(issued.voucher_id) == 5_000


async def test_a_sale_delivered_again_even_at_the_same_moment_redeems_once(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    again = sale("S-1", VoucherPayment(code_hash(issued.code), eur(1_200)))
    await asyncio.gather(*(vouchers.redeem_for_sale(again, store.uow(), store.clock) for _ in range(5)))
    await vouchers.redeem_for_sale(again, store.uow(), store.clock)
    assert len(store.of(VoucherRedeemed)) == 1
    assert await store.balance(issued.voucher_id) == 3_800


async def test_the_database_itself_refuses_a_ledger_below_zero(store: Vouchers) -> None:
    issued = await store.issue(1_000)
    async with store.pool.acquire() as conn:
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO voucher_entries (voucher_id, kind, amount_minor, sale_id, at) "
                "VALUES ($1, 'redeem', 1001, 'S-X', now())",
                issued.voucher_id,
            )
    assert await store.balance(issued.voucher_id) == 1_000


async def test_a_balance_summed_by_postgres_comes_back_as_integer_minor_units(store: Vouchers) -> None:
    issued = await store.issue(5_000)
    await vouchers.redeem_for_sale(
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(1_250))), store.uow(), store.clock
    )
    view = await vouchers.voucher_balance(issued.code, store.uow())
    assert (view.balance, type(view.balance.amount_minor)) == (eur(3_750), int)


def a_return(return_id: str, sale_id: str, code: str, cents: int, at: datetime) -> RefundToVoucher:
    return RefundToVoucher(return_id, sale_id, "own_shop", "PAR-01", (VoucherRefund(code_hash(code), eur(cents)),), at)


async def test_an_expired_voucher_refunded_is_spendable_until_its_new_expiry_then_the_sweep_expires_it_again(
    store: Vouchers,
) -> None:
    issued = await store.issue(20_000)
    await vouchers.redeem_for_sale(
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(12_000))), store.uow(), store.clock
    )
    store.clock.set(issued.expires_at)
    assert await vouchers.expire_vouchers(store.uow(), store.clock) == 1
    assert await store.balance(issued.voucher_id) == 0

    store.clock.advance(timedelta(days=2))
    refunded_at = store.clock.now()
    returned = vouchers.ReturnToRefund(a_return("R-1", "S-1", issued.code, 5_000, refunded_at), "corr", "event-r1")
    await vouchers.apply_sales_and_returns([returned], store.uow(), store.clock, refund_validity=timedelta(days=30))
    [told] = store.of(VoucherRefunded)
    assert (told.amount, told.expires_at) == (eur(5_000), refunded_at + timedelta(days=30))
    view = await vouchers.voucher_with_ledger(issued.voucher_id, store.uow())
    assert (view.voucher.expired_at, view.voucher.expires_at, view.balance) == (None, told.expires_at, eur(5_000))

    # Spendable again: a sale takes part of it, and the sweep leaves it be until its new expiry.
    spend = replace(sale("S-2", VoucherPayment(code_hash(issued.code), eur(2_000))), sold_at=store.clock.now())
    await vouchers.redeem_for_sale(spend, store.uow(), store.clock)
    assert await vouchers.expire_vouchers(store.uow(), store.clock) == 0
    store.clock.set(told.expires_at)
    assert await vouchers.expire_vouchers(store.uow(), store.clock) == 1
    assert [e.remaining for e in store.of(VoucherExpired)] == [eur(8_000), eur(3_000)]
    assert await store.balance(issued.voucher_id) == 0
    assert await store.running_balances_apart_from_their_ledgers() == []


async def test_a_return_delivered_again_even_at_the_same_moment_credits_once_and_never_more_than_was_paid(
    store: Vouchers,
) -> None:
    issued = await store.issue(20_000)
    await vouchers.redeem_for_sale(
        sale("S-1", VoucherPayment(code_hash(issued.code), eur(12_000))), store.uow(), store.clock
    )
    again = [vouchers.ReturnToRefund(a_return("R-1", "S-1", issued.code, 5_000, NOW), "corr", "event-r1")]
    await asyncio.gather(*(vouchers.apply_sales_and_returns(again, store.uow(), store.clock) for _ in range(5)))
    over = [vouchers.ReturnToRefund(a_return("R-2", "S-1", issued.code, 9_000, NOW), "corr", "event-r2")]
    await vouchers.apply_sales_and_returns(over, store.uow(), store.clock)
    await vouchers.apply_sales_and_returns(over, store.uow(), store.clock)
    assert [(e.return_id, e.amount) for e in store.of(VoucherRefunded)] == [("R-1", eur(5_000)), ("R-2", eur(7_000))]
    assert await store.balance(issued.voucher_id) == 20_000
    async with store.uow() as uow:
        [kept] = await uow.vouchers.refund_shortfalls("S-1")
    assert (kept.return_id, kept.asked, kept.credited) == ("R-2", eur(9_000), eur(7_000))
    assert kept.reason == "exceeds_redeemed"
    assert await store.running_balances_apart_from_their_ledgers() == []


async def test_the_database_itself_refuses_a_second_refund_of_one_return_and_a_refund_naming_no_return(
    store: Vouchers,
) -> None:
    issued = await store.issue(1_000)
    insert = (
        "INSERT INTO voucher_entries (voucher_id, kind, amount_minor, sale_id, return_id, at) "
        "VALUES ($1, 'refund', 10, 'S-1', $2, now())"
    )
    async with store.pool.acquire() as conn:
        await conn.execute(insert, issued.voucher_id, "R-1")
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(insert, issued.voucher_id, "R-1")
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(insert, issued.voucher_id, None)
    assert await store.balance(issued.voucher_id) == 1_010
    assert await store.running_balances_apart_from_their_ledgers() == []
