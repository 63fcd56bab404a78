"""The workshop's service levels and quote lapses on the real PostgreSQL: the overdue list's query
(filters, pages, the customer's waits left out) and `reloop repair overdue` over it, and two lapse
sweeps running at once lapsing each quote exactly once, its parts released once.

Each test migrates a database of its own, as the service does at start.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from reloop_shared.cli.main import build_parser
from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.domain import commands
from repair.domain.events import PartNeed
from repair.domain.sla import SlaPolicy
from repair.domain.workshop_policy import UnansweredQuotes, WorkshopPolicy
from repair.service_layer import diagnosis, intake, parts, workshop
from repair.service_layer.lapsed_quotes import lapse_unanswered_quotes
from repair.service_layer.overdue import overdue_tickets
from repair.service_layer.ports import OpenTicketQuery
from services.repair.tests.builders import phone

pytestmark = pytest.mark.connected

NOW = datetime.now(UTC).replace(microsecond=0)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)
MIGRATIONS = [SHARED, MigrationSource("repair", "repair", "migrations")]
POLICY = WorkshopPolicy(centres={"FR": "CENTRE-LYON"})
SCREEN = "SCREEN-IP13"


class Workshop:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(NOW)

    def uow(self) -> PostgresRepairUnitOfWork:
        return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=self.pool)

    async def parcel(self, market: str = "FR") -> str:
        command = commands.OpenTicketByMail(market, "acct-1", phone(), None, "cracked", (), "COLIS-1", "customer")
        return (await intake.open_ticket_by_mail(command, self.uow(), POLICY, self.clock)).ticket.ticket_id

    async def quote(self, ticket_id: str, *needs: PartNeed) -> None:
        command = commands.DiagnoseDevice(ticket_id, ("cracked",), needs, Money(9000, "EUR"), True, None, "tech")
        await diagnosis.diagnose_device(command, self.uow(), POLICY, self.clock)

    async def receive(self, quantity: int) -> None:
        receipt = commands.ReceiveParts("CENTRE-LYON", SCREEN, quantity, None, "stores")
        await parts.receive_parts(receipt, self.uow(), self.clock)


@pytest.fixture
async def shop(database_url: str) -> AsyncIterator[Workshop]:
    pool = await create_pool(database_url, size=6)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        yield Workshop(pool)
    finally:
        await pool.close()


async def _late_and_not(shop: Workshop) -> dict[str, str]:
    """Three days on: two French parcels never diagnosed, a German one, one quoted at once (its
    customer's wait), one declined (closed to the workshop) and one opened just now."""
    tickets = {"fr_1": await shop.parcel()}
    shop.clock.advance(HOUR)
    tickets["fr_2"] = await shop.parcel()
    tickets["quoted"] = await shop.parcel()
    await shop.quote(tickets["quoted"])
    tickets["declined"] = await shop.parcel()
    await shop.quote(tickets["declined"])
    decline = commands.AnswerQuote(tickets["declined"], False, "acct-1", "customer:acct-1")
    await workshop.answer_quote(decline, shop.uow(), shop.clock)
    shop.clock.advance(HOUR)
    tickets["de"] = await shop.parcel("DE")
    shop.clock.advance(3 * DAY)
    tickets["new"] = await shop.parcel()
    return tickets


async def test_the_overdue_query_finds_the_late_open_tickets_filtered_and_paged(shop: Workshop) -> None:
    tickets = await _late_and_not(shop)
    sla, now = SlaPolicy(), shop.clock.now()

    everything = await overdue_tickets(shop.uow(), OpenTicketQuery(), sla, now, None, 10)
    assert [(o.ticket.ticket_id, o.late.step, o.late.overdue_by) for o in everything] == [
        (tickets["fr_1"], "received->diagnosed", DAY + 2 * HOUR),
        (tickets["fr_2"], "received->diagnosed", DAY + HOUR),
        (tickets["de"], "received->diagnosed", DAY),
    ]
    french = await overdue_tickets(shop.uow(), OpenTicketQuery(market="FR"), sla, now, None, 10)
    assert [o.ticket.ticket_id for o in french] == [tickets["fr_1"], tickets["fr_2"]]
    other_centre = await overdue_tickets(shop.uow(), OpenTicketQuery(centre_id="CENTRE-1"), sla, now, None, 10)
    assert [o.ticket.ticket_id for o in other_centre] == [tickets["de"]]
    first_page = await overdue_tickets(shop.uow(), OpenTicketQuery(), sla, now, None, 2)
    after = (first_page[-1].ticket.opened_at, first_page[-1].ticket.ticket_id)
    next_page = await overdue_tickets(shop.uow(), OpenTicketQuery(), sla, now, after, 2, batch=1)
    assert [o.ticket.ticket_id for o in [*first_page, *next_page]] == [o.ticket.ticket_id for o in everything]


async def test_the_cli_lists_the_same_late_tickets(
    shop: Workshop, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tickets = await _late_and_not(shop)
    as_of = shop.clock.now().isoformat()
    args = build_parser().parse_args(
        ["repair", "overdue", "--database-url", database_url, "--market", "FR", "--as-of", as_of, "--json"]
    )
    assert await args.run(args) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(p["ticket_id"], p["step"], p["overdue_seconds"]) for p in printed] == [
        (tickets["fr_1"], "received->diagnosed", int((DAY + 2 * HOUR).total_seconds())),
        (tickets["fr_2"], "received->diagnosed", int((DAY + HOUR).total_seconds())),
    ]
    args = build_parser().parse_args(["repair", "overdue", "--database-url", database_url, "--as-of", as_of])
    assert await args.run(args) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:2] == ["ticket", "market"]
    assert [line.split()[0] for line in table[1:]] == [tickets["fr_1"], tickets["fr_2"], tickets["de"]]


async def test_two_sweeps_at_once_lapse_each_quote_once_and_release_its_parts_once(shop: Workshop) -> None:
    await shop.receive(12)
    quoted = []
    for _ in range(12):
        ticket_id = await shop.parcel()
        await shop.quote(ticket_id, PartNeed(SCREEN, 1))
        quoted.append(ticket_id)
    assert await shop.pool.fetchval("SELECT reserved FROM parts_stock WHERE part_sku = $1", SCREEN) == 12
    late = FixedClock(NOW + POLICY.quote_validity + HOUR)

    counts = await asyncio.gather(
        lapse_unanswered_quotes(shop.uow, late, UnansweredQuotes(), batch=3),
        lapse_unanswered_quotes(shop.uow, late, UnansweredQuotes(), batch=3),
    )

    assert sum(counts) == 12
    statuses = await shop.pool.fetch("SELECT DISTINCT status FROM tickets WHERE ticket_id = ANY($1::text[])", quoted)
    assert [r["status"] for r in statuses] == ["returned_unrepaired"]
    answered = await shop.pool.fetch(
        "SELECT message_key, count(*) AS n FROM outbox WHERE event_type = 'RepairQuoteAnswered' GROUP BY message_key"
    )
    assert sorted((r["message_key"], r["n"]) for r in answered) == sorted((t, 1) for t in quoted)
    released = await shop.pool.fetchval("SELECT count(*) FROM part_reservations WHERE move = 'released'")
    assert released == 12
    assert await shop.pool.fetchval("SELECT reserved FROM parts_stock WHERE part_sku = $1", SCREEN) == 0
    lapses = await shop.pool.fetchval(
        "SELECT count(*) FROM ticket_history WHERE by_actor = 'system' AND note = 'quote declined by default'"
    )
    assert lapses == 12
    assert await lapse_unanswered_quotes(shop.uow, late, UnansweredQuotes()) == 0
