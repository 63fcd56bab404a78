"""`GET /tickets/overdue` on the twin: open tickets past their step's target, which step and by how
much, filtered by market and centre and paged, the customer's waits left out; and the CLI's table."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts.amounts import Money
from reloop_localstack.testing import staff_headers
from repair.domain import commands
from repair.domain.sla import SlaPolicy
from repair.entrypoints.cli import as_json_lines, as_table
from repair.service_layer import diagnosis, intake
from repair.service_layer.overdue import overdue_tickets
from repair.service_layer.ports import OpenTicketQuery
from services.repair.tests.builders import phone
from services.repair.tests.fakes import START, RepairTwin

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


async def _parcel(twin: RepairTwin, market: str = "FR") -> str:
    mail = commands.OpenTicketByMail(market, "acct-1", phone(), None, "cracked", (), "COLIS-1", "customer")
    return (await intake.open_ticket_by_mail(mail, twin.unit_of_work(), twin.policy, twin.clock)).ticket.ticket_id


async def _quote(twin: RepairTwin, ticket_id: str) -> None:
    command = commands.DiagnoseDevice(ticket_id, ("cracked",), (), Money(9000, "EUR"), True, None, "tech-1")
    await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)


async def _workshop() -> tuple[RepairTwin, dict[str, str]]:
    """Three days on: a French parcel never diagnosed, a French one quoted at once (its customer's
    wait), a German one never diagnosed (another centre), and a French one opened just now."""
    twin = RepairTwin()
    tickets = {"fr_waiting": await _parcel(twin)}
    twin.clock.advance(HOUR)
    tickets["fr_quoted"] = await _parcel(twin)
    await _quote(twin, tickets["fr_quoted"])
    twin.clock.advance(HOUR)
    tickets["de_waiting"] = await _parcel(twin, "DE")
    twin.clock.advance(3 * DAY)
    tickets["fr_new"] = await _parcel(twin)
    return twin, tickets


async def test_the_list_names_each_late_ticket_its_step_and_how_late_oldest_first() -> None:
    twin, tickets = await _workshop()
    async with twin.client(staff_headers("repair:read")) as staff:
        answer = await staff.get("/tickets/overdue")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["next_cursor"] is None
    assert [
        (i["ticket_id"], i["market"], i["centre_id"], i["step"], i["overdue_seconds"], i["waiting_on_customer"])
        for i in body["items"]
    ] == [
        (
            tickets["fr_waiting"],
            "FR",
            "CENTRE-LYON",
            "received->diagnosed",
            int((DAY + 2 * HOUR).total_seconds()),
            False,
        ),
        (tickets["de_waiting"], "DE", "CENTRE-1", "received->diagnosed", int(DAY.total_seconds()), False),
    ]
    first = body["items"][0]
    assert (first["target_seconds"], first["elapsed_seconds"]) == (
        int((2 * DAY).total_seconds()),
        int((3 * DAY + 2 * HOUR).total_seconds()),
    )
    assert first["step_started_at"] == first["opened_at"] == START.isoformat().replace("+00:00", "Z")


async def test_the_list_is_filtered_by_market_and_by_centre() -> None:
    twin, tickets = await _workshop()
    async with twin.client(staff_headers("repair:read")) as staff:
        french = (await staff.get("/tickets/overdue", params={"market": "FR"})).json()
        centre = (await staff.get("/tickets/overdue", params={"centre_id": "CENTRE-1"})).json()
    assert [i["ticket_id"] for i in french["items"]] == [tickets["fr_waiting"]]
    assert [i["ticket_id"] for i in centre["items"]] == [tickets["de_waiting"]]


async def test_the_list_is_paged_with_a_cursor() -> None:
    twin, tickets = await _workshop()
    async with twin.client(staff_headers("repair:read")) as staff:
        first = (await staff.get("/tickets/overdue", params={"limit": 1})).json()
        second = (await staff.get("/tickets/overdue", params={"limit": 1, "cursor": first["next_cursor"]})).json()
    assert [i["ticket_id"] for i in first["items"]] == [tickets["fr_waiting"]]
    assert [i["ticket_id"] for i in second["items"]] == [tickets["de_waiting"]]
    assert second["next_cursor"] is None


async def test_late_tickets_are_found_beyond_the_first_batch_of_candidates() -> None:
    twin, tickets = await _workshop()
    found = await overdue_tickets(twin.unit_of_work(), OpenTicketQuery(), twin.sla, twin.clock.now(), None, 10, batch=1)
    assert [o.ticket.ticket_id for o in found] == [tickets["fr_waiting"], tickets["de_waiting"]]


async def test_a_market_with_a_longer_target_has_nothing_late_yet() -> None:
    twin, _ = await _workshop()
    twin.sla = SlaPolicy({"FR": {"received->diagnosed": 4 * DAY}, "DE": {"received->diagnosed": 4 * DAY}})
    async with twin.client(staff_headers("repair:read")) as staff:
        assert (await staff.get("/tickets/overdue")).json()["items"] == []


async def test_the_list_is_for_staff_who_may_read_tickets() -> None:
    twin, _ = await _workshop()
    async with twin.client(staff_headers("repair:workshop")) as workshop, twin.client() as anyone:
        refused = await workshop.get("/tickets/overdue")
        assert (refused.status_code, refused.json()["field"]) == (403, "scope")
        assert "repair:read" in refused.json()["message"]
        assert (await anyone.get("/tickets/overdue")).status_code == 401


async def test_the_cli_prints_the_late_tickets_as_a_table_or_as_json_lines() -> None:
    twin, tickets = await _workshop()
    found = await overdue_tickets(twin.unit_of_work(), OpenTicketQuery(), twin.sla, twin.clock.now(), None, 10)
    table = as_table(found).splitlines()
    assert table[0].split()[:3] == ["ticket", "market", "centre"]
    fr_columns = [tickets["fr_waiting"], "FR", "CENTRE-LYON", "received", "received->diagnosed", "1d 02h"]
    assert table[1].split("  ")[:1] == [tickets["fr_waiting"]]
    assert [c for c in table[1].split("  ") if c.strip()][: len(fr_columns)] == fr_columns
    assert table[1].split("  ")[-1].strip() == "3d 02h / 2d 00h"
    assert table[2].split()[:3] == [tickets["de_waiting"], "DE", "CENTRE-1"]
    lines = as_json_lines(found).splitlines()
    assert [line.count(tickets["fr_waiting"]) for line in lines] == [1, 0]
    assert as_table([]) == "no ticket is late"
