"""The workshop on the real PostgreSQL: concurrent tickets never reserve more parts than the shelf
holds, a ticket and its history read back as they were saved, and the fair-use count and the
tracking lookup run on the SQL as on the twin.

Each test migrates a database of its own (the shared tables and repair's migrations, as the service
does at start) and runs the handlers on units of work of their own connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.domain import commands
from repair.domain.errors import NotEnoughParts
from repair.domain.events import PartNeed
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer import diagnosis, intake, parts, tracking, workshop
from repair.service_layer.views import ticket_view
from services.repair.tests.builders import phone

pytestmark = pytest.mark.connected

NOW = datetime.now(UTC).replace(microsecond=0)
MIGRATIONS = [SHARED, MigrationSource("repair", "repair", "migrations")]
POLICY = WorkshopPolicy(centres={"FR": "CENTRE-LYON"})
SCREEN, BATTERY = "SCREEN-IP13", "BATTERY-IP13"


class Workshop:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(NOW)

    def uow(self) -> PostgresRepairUnitOfWork:
        return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=self.pool)

    async def receive(self, part_sku: str, quantity: int) -> None:
        await parts.receive_parts(
            commands.ReceiveParts("CENTRE-LYON", part_sku, quantity, 0, "stores"), self.uow(), self.clock
        )

    async def parcel(self, customer_id: str = "acct-1") -> intake.OpenedTicket:
        command = commands.OpenTicketByMail("FR", customer_id, phone(), None, "cracked", (), "COLIS-1", "customer")
        return await intake.open_ticket_by_mail(command, self.uow(), POLICY, self.clock)

    async def diagnose(self, ticket_id: str, *needs: PartNeed) -> None:
        command = commands.DiagnoseDevice(ticket_id, ("cracked",), needs, Money(9000, "EUR"), True, None, "tech")
        await diagnosis.diagnose_device(command, self.uow(), POLICY, self.clock)

    async def stock(self, part_sku: str) -> tuple[int, int]:
        row = await self.pool.fetchrow(
            "SELECT on_hand, reserved FROM parts_stock WHERE centre_id = 'CENTRE-LYON' AND part_sku = $1", part_sku
        )
        assert row is not None
        return row["on_hand"], row["reserved"]


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[Workshop]:
    pool = await create_pool(database_url, size=12)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        yield Workshop(pool)
    finally:
        await pool.close()


async def test_tickets_reserving_the_same_parts_at_once_never_reserve_more_than_the_shelf(shop: Workshop) -> None:
    await shop.receive(SCREEN, 3)
    await shop.receive(BATTERY, 4)
    tickets = [(await shop.parcel()).ticket.ticket_id for _ in range(8)]
    # Half want the battery then the screen, half the reverse: locks in part order keep them from deadlocking.
    await asyncio.gather(
        *(
            shop.diagnose(t, PartNeed(SCREEN, 1), PartNeed(BATTERY, 1))
            if i % 2
            else shop.diagnose(t, PartNeed(BATTERY, 1), PartNeed(SCREEN, 1))
            for i, t in enumerate(tickets)
        )
    )
    held = await shop.pool.fetchval("SELECT count(*) FROM tickets WHERE parts_reserved")
    assert held == 3
    assert await shop.stock(SCREEN) == (3, 3)
    assert await shop.stock(BATTERY) == (4, 3)
    moves = await shop.pool.fetch(
        "SELECT part_sku, count(*) AS n FROM part_reservations WHERE move = 'reserved' "
        "GROUP BY part_sku ORDER BY part_sku"
    )
    assert [(m["part_sku"], m["n"]) for m in moves] == [(BATTERY, 3), (SCREEN, 3)]


async def test_repairs_starting_at_once_for_the_last_part_start_once(shop: Workshop) -> None:
    first, second = (await shop.parcel()).ticket.ticket_id, (await shop.parcel()).ticket.ticket_id
    for ticket_id in (first, second):
        await shop.diagnose(ticket_id, PartNeed(SCREEN, 1))  # nothing on the shelf yet: quoted, unreserved
        answer = commands.AnswerQuote(ticket_id, True, "acct-1", "customer:acct-1")
        await workshop.answer_quote(answer, shop.uow(), shop.clock)
    await shop.receive(SCREEN, 1)
    outcomes = await asyncio.gather(
        *(
            workshop.advance_ticket(commands.AdvanceTicket(t, "start_repair", "tech"), shop.uow(), shop.clock)
            for t in (first, second)
        ),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NotEnoughParts", "Ticket"]
    assert [str(o) for o in outcomes if isinstance(o, NotEnoughParts)] == [
        "the centre CENTRE-LYON lacks parts for this ticket"
    ]
    assert await shop.stock(SCREEN) == (1, 1)


async def test_a_ticket_reads_back_as_saved_with_its_history_and_its_tracking_code(shop: Workshop) -> None:
    await shop.receive(SCREEN, 2)
    opened = await shop.parcel("acct-9")
    ticket_id = opened.ticket.ticket_id
    await shop.diagnose(ticket_id, PartNeed(SCREEN, 1))
    await workshop.answer_quote(commands.AnswerQuote(ticket_id, False, "acct-9", "customer"), shop.uow(), shop.clock)
    ticket = await ticket_view(shop.uow(), ticket_id)
    assert (ticket.status, ticket.parts_reserved, ticket.quote) == ("returned_unrepaired", False, Money(9000, "EUR"))
    assert [h.to_status for h in ticket.history] == ["received", "diagnosed", "quoted", "returned_unrepaired"]
    assert await shop.stock(SCREEN) == (2, 0)
    assert opened.tracking_code is not None
    assert (await tracking.track(shop.uow(), opened.tracking_code)).status == "returned_unrepaired"
    stored = await shop.pool.fetchval("SELECT count(*) FROM tickets WHERE tracking_hash = $1", opened.tracking_code)
    assert stored == 0  # only its hash is kept


async def test_the_shelf_refuses_a_reservation_beyond_it_whatever_the_code_does(shop: Workshop) -> None:
    await shop.receive(SCREEN, 1)
    with pytest.raises(asyncpg.CheckViolationError):
        await shop.pool.execute("UPDATE parts_stock SET reserved = 2 WHERE part_sku = $1", SCREEN)


async def test_fair_use_counts_a_subscriptions_claims_per_device_since_a_date(shop: Workshop) -> None:
    device = phone()
    async with shop.pool.acquire() as conn:
        for days_ago, subscription in ((400, "S-1"), (100, "S-1"), (10, "S-1"), (5, "S-2")):
            await conn.execute(
                """
                INSERT INTO tickets (ticket_id, market, channel, identifier_kind, identifier_value, category, model,
                                     bought_from_us, symptoms, centre_id, tracking_hash, coverage, coverage_reason,
                                     subscription_id, opened_at, status)
                VALUES ($1, 'FR', 'online', 'imei', $2, 'smartphone', 'iphone-13', false, 'x', 'C', $1, 'plan',
                        'plan', $3, $4, 'closed')
                """,
                f"T-{days_ago}",
                device.identifier.value,
                subscription,
                NOW - timedelta(days=days_ago),
            )
    async with shop.uow() as uow:
        assert await uow.tickets.claims_for("S-1", device.identifier, NOW - timedelta(days=365)) == 2
