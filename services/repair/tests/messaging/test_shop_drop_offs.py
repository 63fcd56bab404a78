"""Shop drop-offs: a device left at a shop for repair becomes one ticket, paid by the plan, by
reloop's warranty on a unit it sold, or by the customer after a quote."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import NonNegativeMoney, store
from reloop_contracts import repair as contract
from reloop_contracts.amounts import Money
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from repair.domain import commands
from repair.domain.devices import Device, identify
from repair.domain.events import PartNeed
from repair.domain.subscription_commands import Subscribe
from repair.service_layer import diagnosis, parts, workshop
from repair.service_layer.intake import drop_off_ticket_id
from repair.service_layer.renewals import run_renewals
from repair.service_layer.subscriptions import subscribe
from repair.service_layer.views import ticket_view
from services.repair.tests.builders import new_imei, repair_drop_off, sale_of, unique
from services.repair.tests.messaging.under_test import RepairUnderTest

SCREEN = "SCREEN-IP13"


async def _diagnose(under_test: RepairUnderTest, ticket_id: str, estimate: int) -> None:
    command = commands.DiagnoseDevice(
        ticket_id, ("screen cracked",), (PartNeed(SCREEN, 1),), Money(estimate, "EUR"), True, None, "tech-1"
    )
    await diagnosis.diagnose_device(command, under_test.service.unit_of_work(), under_test.policy, under_test.clock)


async def _step(under_test: RepairUnderTest, ticket_id: str, step: commands.Step) -> None:
    command = commands.AdvanceTicket(ticket_id, step, "tech-1")
    await workshop.advance_ticket(command, under_test.service.unit_of_work(), under_test.clock)


async def test_a_device_covered_by_an_active_plan_past_its_waiting_period_is_repaired_free_for_pickup_at_its_shop(
    under_test: RepairUnderTest,
) -> None:
    service, clock, customer, imei = under_test.service, under_test.clock, unique("acct"), new_imei()
    device = Device(identify("imei", imei), "smartphone", "iphone-13")
    started = await subscribe(Subscribe(customer, "FR", (device,)), service.unit_of_work(), clock, under_test.plans)
    clock.advance(timedelta(days=35))  # past the 30 days' waiting period, into a renewed period
    await run_renewals(service.unit_of_work, clock, under_test.plans)
    event = repair_drop_off(clock.now(), customer_id=customer, imei=imei)
    await service.deliver(event, producer="store-sync", copies=2)
    ticket_id = drop_off_ticket_id(event.drop_off_id)
    ticket = await ticket_view(service.unit_of_work(), ticket_id)
    assert (ticket.coverage, ticket.subscription_id, ticket.shop_id) == ("plan", started.subscription_id, event.shop_id)
    centre = under_test.policy.centre_of("FR")
    receipt = commands.ReceiveParts(centre, SCREEN, 5, None, "stores-1")
    await parts.receive_parts(receipt, service.unit_of_work(), clock)
    await _diagnose(under_test, ticket_id, 14900)
    for step in ("start_repair", "repaired", "quality_passed", "send_back"):
        await _step(under_test, ticket_id, step)
    assert (await ticket_view(service.unit_of_work(), ticket_id)).status == "ready_for_pickup"
    opened = [e for e in await service.published(contract.RepairTicketOpened) if e.ticket_id == ticket_id]
    assert [(e.coverage, e.drop_off_id) for e in opened] == [("plan", event.drop_off_id)]
    completed = [e for e in await service.published(contract.RepairCompleted) if e.ticket_id == ticket_id]
    assert [(e.coverage, e.charged.amount_minor) for e in completed] == [("plan", 0)]
    assert not [e for e in await service.published(contract.RepairQuoted) if e.ticket_id == ticket_id]
    progressed = [e.status for e in await service.published(contract.RepairProgressed) if e.ticket_id == ticket_id]
    assert progressed[-1] == "ready_for_pickup"


async def test_a_unit_reloop_sold_within_its_warranty_is_covered_without_a_plan(under_test: RepairUnderTest) -> None:
    service, clock, unit_id = under_test.service, under_test.clock, unique("U")
    await service.deliver(sale_of(unit_id, clock.now() - timedelta(days=120)), producer="orders")
    event = repair_drop_off(clock.now(), unit_id=unit_id)
    await service.deliver(event, producer="store-sync")
    ticket = await ticket_view(service.unit_of_work(), drop_off_ticket_id(event.drop_off_id))
    assert (ticket.coverage, ticket.bought_from_us, ticket.unit_id) == ("warranty", True, unit_id)


async def test_a_device_with_neither_plan_nor_warranty_is_quoted(under_test: RepairUnderTest) -> None:
    service = under_test.service
    event = repair_drop_off(under_test.clock.now())
    await service.deliver(event, producer="store-sync")
    ticket_id = drop_off_ticket_id(event.drop_off_id)
    ticket = await ticket_view(service.unit_of_work(), ticket_id)
    assert (ticket.coverage, ticket.coverage_reason) == ("paid", "no plan and not sold by reloop")
    await _diagnose(under_test, ticket_id, 11900)
    quoted = [e for e in await service.published(contract.RepairQuoted) if e.ticket_id == ticket_id]
    assert [e.amount.amount_minor for e in quoted] == [11900]


async def test_a_trade_in_left_at_a_shop_is_not_repairs_business(under_test: RepairUnderTest) -> None:
    service, shop = under_test.service, unique("SHOP")
    trade_in = store.TradeInDroppedOff(
        drop_off_id=unique("DO"),
        shop_id=shop,
        channel="own_shop",
        market="FR",
        device=store.DroppedDevice(unit_id=unique("U"), identifier=WireIdentifier(kind="imei", value=new_imei())),
        payout=NonNegativeMoney(amount_minor=10000, currency="EUR"),
        payout_method="cash",
        dropped_off_at=under_test.clock.now(),
        pos_transaction_id=unique("POS"),
    )
    await service.deliver(trade_in, producer="store-sync")
    assert [e for e in await service.published(contract.RepairTicketOpened) if e.shop_id == shop] == []


async def test_a_drop_off_whose_imei_is_none_goes_to_the_dead_letters_with_the_reason(
    under_test: RepairUnderTest,
) -> None:
    service = under_test.service
    event = repair_drop_off(under_test.clock.now(), imei="352099001761482")
    await service.deliver(event, producer="store-sync")
    letters = [str(d) for d in await service.dead_letters()]
    assert len([d for d in letters if event.drop_off_id in d and "check digit" in d]) == 1
    assert [e for e in await service.published(contract.RepairTicketOpened) if e.drop_off_id == event.drop_off_id] == []
