"""The quote lapse sweep on the twin: a quote left unanswered past its deadline gets the market's
default answer once, with its parts, and a late answer from the customer is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import repair as contract
from reloop_contracts.amounts import Money
from repair.domain import commands
from repair.domain.errors import QuoteLapsed
from repair.domain.events import PartNeed
from repair.domain.tickets import SYSTEM
from repair.domain.workshop_policy import UnansweredQuotes
from repair.service_layer import diagnosis, intake, parts, workshop
from repair.service_layer.lapsed_quotes import lapse_unanswered_quotes
from services.repair.tests.builders import phone
from services.repair.tests.fakes import RepairTwin

SCREEN = "SCREEN-IP13"
DECLINED = UnansweredQuotes()


async def _quoted(twin: RepairTwin, *, customer_id: str = "acct-1") -> str:
    """A paid parcel diagnosed with a screen to fit: quoted, its screen reserved when on the shelf."""
    mail = commands.OpenTicketByMail("FR", customer_id, phone(), None, "cracked", (), "COLIS-1", "customer")
    opened = await intake.open_ticket_by_mail(mail, twin.unit_of_work(), twin.policy, twin.clock)
    ticket_id = opened.ticket.ticket_id
    diagnose = commands.DiagnoseDevice(
        ticket_id, ("screen cracked",), (PartNeed(SCREEN, 1),), Money(12900, "EUR"), True, None, "tech-1"
    )
    await diagnosis.diagnose_device(diagnose, twin.unit_of_work(), twin.policy, twin.clock)
    return ticket_id


async def _receive(twin: RepairTwin, quantity: int) -> None:
    receipt = commands.ReceiveParts("CENTRE-LYON", SCREEN, quantity, None, "stores-1")
    await parts.receive_parts(receipt, twin.unit_of_work(), twin.clock)


async def test_a_quote_unanswered_past_its_deadline_is_declined_by_default_and_its_parts_released() -> None:
    twin = RepairTwin()
    await _receive(twin, 2)
    ticket_id = await _quoted(twin)
    assert twin.tables.parts_stock[("CENTRE-LYON", SCREEN)].reserved == 1
    twin.clock.advance(twin.policy.quote_validity + timedelta(minutes=1))

    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, DECLINED) == 1

    ticket = twin.tables.tickets[ticket_id]
    assert (ticket.status, ticket.parts_reserved) == ("returned_unrepaired", False)
    assert (ticket.history[-1].by, ticket.history[-1].note) == (SYSTEM, "quote declined by default")
    stock = twin.tables.parts_stock[("CENTRE-LYON", SCREEN)]
    assert (stock.on_hand, stock.reserved) == (2, 0)
    assert [m.move for m in twin.tables.part_moves if m.ticket_id == ticket_id] == ["reserved", "released"]
    answers = twin.store.published(contract.RepairQuoteAnswered)
    assert [(a.ticket_id, a.accepted, a.by_default, a.answered_at) for a in answers] == [
        (ticket_id, False, True, twin.clock.now())
    ]


async def test_a_second_sweep_finds_nothing_left_to_lapse() -> None:
    twin = RepairTwin()
    await _receive(twin, 1)
    await _quoted(twin)
    twin.clock.advance(twin.policy.quote_validity + timedelta(hours=1))
    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, DECLINED) == 1
    twin.clock.advance(timedelta(days=1))
    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, DECLINED) == 0
    assert len(twin.store.published(contract.RepairQuoteAnswered)) == 1
    assert [m.move for m in twin.tables.part_moves if m.ticket_id is not None] == ["reserved", "released"]


async def test_a_quote_within_its_deadline_is_left_to_the_customer() -> None:
    twin = RepairTwin()
    ticket_id = await _quoted(twin)
    twin.clock.advance(twin.policy.quote_validity - timedelta(minutes=1))
    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, DECLINED) == 0
    assert twin.tables.tickets[ticket_id].status == "quoted"
    assert twin.store.published(contract.RepairQuoteAnswered) == []


async def test_sweeps_work_through_more_quotes_than_one_batch() -> None:
    twin = RepairTwin()
    tickets = [await _quoted(twin, customer_id=f"acct-{n}") for n in range(5)]
    twin.clock.advance(twin.policy.quote_validity)
    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, DECLINED, batch=2) == 5
    assert {twin.tables.tickets[t].status for t in tickets} == {"returned_unrepaired"}


async def test_in_a_market_whose_terms_accept_an_unanswered_quote_the_repair_goes_ahead() -> None:
    twin = RepairTwin()
    await _receive(twin, 1)
    ticket_id = await _quoted(twin)
    twin.clock.advance(twin.policy.quote_validity)
    assert await lapse_unanswered_quotes(twin.unit_of_work, twin.clock, UnansweredQuotes(frozenset({"FR"}))) == 1
    ticket = twin.tables.tickets[ticket_id]
    assert (ticket.status, ticket.parts_reserved, ticket.history[-1].note) == (
        "waiting_for_parts",
        True,
        "quote accepted by default",
    )
    assert [(a.accepted, a.by_default) for a in twin.store.published(contract.RepairQuoteAnswered)] == [(True, True)]


async def test_the_customer_answering_after_the_deadline_is_refused_naming_it() -> None:
    twin = RepairTwin()
    ticket_id = await _quoted(twin)
    twin.clock.advance(twin.policy.quote_validity + timedelta(seconds=1))
    answer = commands.AnswerQuote(ticket_id, True, "acct-1", "customer:acct-1")
    with pytest.raises(QuoteLapsed) as refused:
        await workshop.answer_quote(answer, twin.unit_of_work(), twin.clock)
    assert refused.value.field == "answer_by"
    assert twin.tables.tickets[ticket_id].status == "quoted"
