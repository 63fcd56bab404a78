"""The workshop's handlers on the twin: intake, coverage, diagnosis, quotes, parts and the steps,
with what they save and what they publish."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reloop_contracts import repair as contract
from reloop_contracts.amounts import Money
from repair.domain import commands
from repair.domain.coverage import SoldDevice
from repair.domain.errors import NotEnoughParts, NotFound
from repair.domain.events import PartNeed
from repair.service_layer import diagnosis, intake, parts, tracking, workshop
from repair.service_layer.warranty import when_device_sold_record_its_warranty
from services.repair.tests.builders import phone
from services.repair.tests.fakes import START, RepairTwin

SCREEN = "SCREEN-IP13"


def _mail(customer_id: str | None = "acct-1", unit_id: str | None = None) -> commands.OpenTicketByMail:
    return commands.OpenTicketByMail(
        "FR", customer_id, phone(), unit_id, "cracked screen", ("https://img/1.jpg",), "COLIS-1", "customer:acct-1"
    )


def _diagnose(ticket_id: str, estimate: int, *, quantity: int = 1) -> commands.DiagnoseDevice:
    return commands.DiagnoseDevice(
        ticket_id, ("screen cracked",), (PartNeed(SCREEN, quantity),), Money(estimate, "EUR"), True, None, "tech-1"
    )


async def _stock(twin: RepairTwin, quantity: int, reorder_point: int = 0) -> None:
    centre = twin.policy.centre_of("FR")
    await parts.receive_parts(
        commands.ReceiveParts(centre, SCREEN, quantity, reorder_point, "stores-1"), twin.unit_of_work(), twin.clock
    )


async def _step(twin: RepairTwin, ticket_id: str, step: commands.Step) -> None:
    await workshop.advance_ticket(commands.AdvanceTicket(ticket_id, step, "tech-1"), twin.unit_of_work(), twin.clock)


async def test_a_device_reloop_sold_is_covered_by_the_warranty_when_its_unit_is_named() -> None:
    twin = RepairTwin()
    sold = commands.RecordSoldDevices("SALE-1", "FR", START - timedelta(days=90), (commands.SoldUnit("U-1", "IP13"),))
    await when_device_sold_record_its_warranty(sold, twin.unit_of_work())
    opened = await intake.open_ticket_by_mail(_mail(unit_id="U-1"), twin.unit_of_work(), twin.policy, twin.clock)
    assert (opened.ticket.coverage, opened.ticket.bought_from_us, opened.ticket.unit_id) == ("warranty", True, "U-1")
    assert twin.tables.sold_devices["U-1"] == SoldDevice("U-1", "IP13", "SALE-1", "FR", START - timedelta(days=90))
    published = twin.store.published(contract.RepairTicketOpened)
    assert [(e.coverage, e.bought_from_us) for e in published] == [("warranty", True)]


async def test_a_unit_reloop_never_sold_is_not_kept_on_the_ticket_and_is_paid() -> None:
    twin = RepairTwin()
    opened = await intake.open_ticket_by_mail(_mail(unit_id="U-NOT-OURS"), twin.unit_of_work(), twin.policy, twin.clock)
    assert (opened.ticket.coverage, opened.ticket.unit_id, opened.ticket.bought_from_us) == ("paid", None, False)


async def test_the_tracking_code_is_shown_once_stored_hashed_and_answers_the_status_only() -> None:
    twin = RepairTwin()
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    assert opened.tracking_code is not None
    stored = twin.tables.tickets[opened.ticket.ticket_id]
    assert opened.tracking_code not in repr(stored)
    tracked = await tracking.track(twin.unit_of_work(), opened.tracking_code.lower())
    assert (tracked.status, tracked.since) == ("received", START)
    with pytest.raises(NotFound):
        await tracking.track(twin.unit_of_work(), "RPR-2222-2222-2222-2222")


async def test_a_new_tracking_code_replaces_the_old_one() -> None:
    twin = RepairTwin()
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    renewed = await intake.new_tracking_code_for(opened.ticket.ticket_id, twin.unit_of_work())
    assert renewed.tracking_code is not None
    assert opened.tracking_code is not None
    assert (await tracking.track(twin.unit_of_work(), renewed.tracking_code)).status == "received"
    with pytest.raises(NotFound):
        await tracking.track(twin.unit_of_work(), opened.tracking_code)


async def test_a_declined_quote_returns_the_device_unrepaired_and_releases_its_parts() -> None:
    twin = RepairTwin()
    await _stock(twin, 3)
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    ticket_id = opened.ticket.ticket_id
    quoted = await diagnosis.diagnose_device(_diagnose(ticket_id, 12900), twin.unit_of_work(), twin.policy, twin.clock)
    assert (quoted.status, quoted.parts_reserved) == ("quoted", True)
    assert twin.tables.parts_stock[("CENTRE-LYON", SCREEN)].reserved == 1
    answer = commands.AnswerQuote(ticket_id, False, "acct-1", "customer:acct-1")
    declined = await workshop.answer_quote(answer, twin.unit_of_work(), twin.clock)
    assert (declined.status, declined.parts_reserved) == ("returned_unrepaired", False)
    stock = twin.tables.parts_stock[("CENTRE-LYON", SCREEN)]
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert [m.move for m in twin.tables.part_moves if m.ticket_id == ticket_id] == ["reserved", "released"]
    assert [e.accepted for e in twin.store.published(contract.RepairQuoteAnswered)] == [False]


async def test_another_customer_cannot_answer_a_quote() -> None:
    twin = RepairTwin()
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    await diagnosis.diagnose_device(
        _diagnose(opened.ticket.ticket_id, 9000), twin.unit_of_work(), twin.policy, twin.clock
    )
    answer = commands.AnswerQuote(opened.ticket.ticket_id, True, "acct-2", "customer:acct-2")
    with pytest.raises(NotFound):
        await workshop.answer_quote(answer, twin.unit_of_work(), twin.clock)


async def test_parts_short_at_diagnosis_are_reserved_when_the_repair_starts_after_a_receipt() -> None:
    twin = RepairTwin()
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    ticket_id = opened.ticket.ticket_id
    await diagnosis.diagnose_device(_diagnose(ticket_id, 9000), twin.unit_of_work(), twin.policy, twin.clock)
    await workshop.answer_quote(commands.AnswerQuote(ticket_id, True, "acct-1", "c"), twin.unit_of_work(), twin.clock)
    with pytest.raises(NotEnoughParts):
        await _step(twin, ticket_id, "start_repair")
    assert twin.tables.tickets[ticket_id].status == "waiting_for_parts"
    await _stock(twin, 1)
    await _step(twin, ticket_id, "start_repair")
    await _step(twin, ticket_id, "repaired")
    stock = twin.tables.parts_stock[("CENTRE-LYON", SCREEN)]
    assert (stock.on_hand, stock.reserved) == (0, 0)
    await _step(twin, ticket_id, "quality_passed")
    await _step(twin, ticket_id, "send_back")
    completed = twin.store.published(contract.RepairCompleted)
    assert [(e.coverage, e.charged.amount_minor, [p.part_sku for p in e.parts_used]) for e in completed] == [
        ("paid", 9000, [SCREEN])
    ]
    assert twin.tables.tickets[ticket_id].status == "shipped_back"


async def test_a_centre_falling_to_the_reorder_point_is_told_once() -> None:
    twin = RepairTwin()
    await _stock(twin, 3, reorder_point=1)
    for _ in range(3):
        opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
        await diagnosis.diagnose_device(
            _diagnose(opened.ticket.ticket_id, 9000), twin.unit_of_work(), twin.policy, twin.clock
        )
    alerts = twin.store.published(contract.PartsBelowReorderPoint)
    assert [(a.part_sku, a.on_hand, a.reserved, a.reorder_point) for a in alerts] == [(SCREEN, 3, 2, 1)]
