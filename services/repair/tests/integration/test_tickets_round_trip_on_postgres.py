"""A ticket's storage on the real PostgreSQL: read back after every move it is the ticket the move
saved, history and all, and a move costs two statements of its own (read and lock, then write)
besides the outbox's, whatever the length of the ticket's history.

Each test migrates a database of its own, as the service does at start.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import pytest
from asyncpg.connection import LoggedQuery

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.domain import commands
from repair.domain.errors import InvalidTransition
from repair.domain.events import PartNeed
from repair.domain.tickets import Ticket
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer import diagnosis, intake, parts, workshop
from repair.service_layer.ports import TicketQuery
from services.repair.tests.builders import phone

pytestmark = pytest.mark.connected

NOW = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)
POLICY = WorkshopPolicy(centres={"FR": "CENTRE-LYON"})
SCREEN = "SCREEN-IP13"
Move = Callable[[PostgresRepairUnitOfWork], Awaitable[Ticket]]


class Workshop:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(NOW)

    def uow(self, conn: asyncpg.Connection | None = None) -> PostgresRepairUnitOfWork:
        if conn is not None:
            return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, conn=conn)
        return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=self.pool)

    async def parcel(self) -> Ticket:
        command = commands.OpenTicketByMail(
            "FR", "acct-7", phone(), None, "cracked, won't charge", ("photo-1", "photo-2"), "COLIS-7", "customer"
        )
        return (await intake.open_ticket_by_mail(command, self.uow(), POLICY, self.clock)).ticket

    def diagnose(self, ticket_id: str, *needs: PartNeed) -> Move:
        command = commands.DiagnoseDevice(
            ticket_id, ("screen cracked", "port worn"), needs, Money(12900, "EUR"), True, None, "tech-1"
        )
        return lambda uow: diagnosis.diagnose_device(command, uow, POLICY, self.clock)

    def answer(self, ticket_id: str) -> Move:
        command = commands.AnswerQuote(ticket_id, True, "acct-7", "customer:acct-7")
        return lambda uow: workshop.answer_quote(command, uow, self.clock)

    def step(self, ticket_id: str, step: commands.Step, note: str = "") -> Move:
        command = commands.AdvanceTicket(ticket_id, step, "tech-2", note)
        return lambda uow: workshop.advance_ticket(command, uow, self.clock)

    async def read(self, ticket_id: str) -> Ticket | None:
        async with self.uow() as uow:
            return await uow.tickets.get(ticket_id)

    async def statements_of(self, move: Move) -> tuple[Ticket, list[str]]:
        """The move on a unit of work joining a transaction of ours, and the statements it sent."""
        sent: list[str] = []

        def log(query: LoggedQuery) -> None:
            sent.append(" ".join(query.query.split()))

        async with self.pool.acquire() as conn, conn.transaction():
            conn.add_query_logger(log)
            try:
                ticket = await move(self.uow(conn))
            finally:
                conn.remove_query_logger(log)
        return ticket, sent


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[Workshop]:
    pool = await create_pool(database_url, size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, [SHARED, MigrationSource("repair", "repair", "migrations")])
        yield Workshop(pool)
    finally:
        await pool.close()


async def test_a_ticket_reads_back_after_every_move_as_the_move_left_it(shop: Workshop) -> None:
    await parts.receive_parts(commands.ReceiveParts("CENTRE-LYON", SCREEN, 2, 0, "stores"), shop.uow(), shop.clock)
    opened = await shop.parcel()
    assert await shop.read(opened.ticket_id) == opened
    t = opened.ticket_id
    moves = [
        shop.diagnose(t, PartNeed(SCREEN, 1)),
        shop.answer(t),
        shop.step(t, "start_repair"),
        shop.step(t, "repaired"),
        shop.step(t, "quality_failed", "scratch on the new screen"),
        shop.step(t, "repaired"),
        shop.step(t, "quality_passed"),
        shop.step(t, "send_back"),
        shop.step(t, "hand_back"),
    ]
    for move in moves:
        moved = await move(shop.uow())
        assert await shop.read(t) == moved
    assert moved.quote == moved.charged == Money(12900, "EUR")
    assert moved.photos == ("photo-1", "photo-2")
    assert [(h.to_status, h.by, h.at, h.note) for h in moved.history[-6:]] == [
        ("repaired", "tech-2", NOW, ""),
        ("in_repair", "tech-2", NOW, "scratch on the new screen"),
        ("repaired", "tech-2", NOW, ""),
        ("quality_checked", "tech-2", NOW, ""),
        ("shipped_back", "tech-2", NOW, ""),
        ("closed", "tech-2", NOW, "shipped"),
    ]
    stored = await shop.pool.fetch("SELECT seq, to_status FROM ticket_history WHERE ticket_id = $1 ORDER BY seq", t)
    assert [(r["seq"], r["to_status"]) for r in stored] == list(enumerate(h.to_status for h in moved.history))
    (listed,) = [x for x in await _listed(shop) if x.ticket_id == t]
    assert listed == moved


async def _listed(shop: Workshop) -> list[Ticket]:
    async with shop.uow() as uow:
        return await uow.tickets.find(TicketQuery(customer_id="acct-7"), None, 10)


async def test_a_workshop_move_reads_once_and_writes_once_besides_the_outbox(shop: Workshop) -> None:
    t = (await shop.parcel()).ticket_id
    await shop.diagnose(t)(shop.uow())
    for move in (
        shop.answer(t),
        shop.step(t, "start_repair"),
        shop.step(t, "repaired"),
        shop.step(t, "quality_passed"),
        shop.step(t, "send_back"),
    ):
        ticket, sent = await shop.statements_of(move)
        assert [s.split(" ", 1)[0] for s in sent] == ["SELECT", "WITH", "INSERT"], sent
        assert "FOR UPDATE" in sent[0]
        assert "INSERT INTO outbox" in sent[2]
        assert await shop.read(t) == ticket


async def test_a_move_refused_by_the_state_machine_leaves_the_ticket_as_it_was(shop: Workshop) -> None:
    t = (await shop.parcel()).ticket_id
    before = await shop.read(t)
    with pytest.raises(InvalidTransition, match="cannot mark repaired a ticket that is received"):
        await shop.step(t, "repaired")(shop.uow())
    assert await shop.read(t) == before


async def test_a_move_that_waited_for_another_on_the_same_ticket_reads_the_history_that_one_wrote(
    shop: Workshop,
) -> None:
    t = (await shop.parcel()).ticket_id
    await shop.diagnose(t)(shop.uow())
    await shop.answer(t)(shop.uow())
    async with shop.pool.acquire() as first, first.transaction():
        async with shop.uow(first) as uow:
            ticket = await uow.tickets.get(t, for_update=True)
            assert ticket is not None
            ticket.start_repair(by="tech-1", at=NOW)
            await uow.tickets.save(ticket)
        # The second reads the ticket while the first holds it: its snapshot predates the first's
        # history entry, and it waits on the row lock until the first commits.
        second = asyncio.create_task(shop.step(t, "repaired")(shop.uow()))
        await _waiting_on_a_lock(shop)
    repaired = await second
    assert [h.to_status for h in repaired.history][-2:] == ["in_repair", "repaired"]
    assert await shop.read(t) == repaired


async def _waiting_on_a_lock(shop: Workshop) -> None:
    for _ in range(500):
        if await shop.pool.fetchval("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the second move never waited for the first")
