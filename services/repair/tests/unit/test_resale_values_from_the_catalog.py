"""The catalog's prices consumed into repair's projection (`catalog.skus.v1`), then a diagnosis on
the twin valuing the device by them: the SKU reloop sold, else the model family's lowest price,
and a trade-in suggested when the repair is not worth it."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import repair as contract
from reloop_contracts.amounts import Money
from reloop_localstack.testing import staff_headers
from repair.domain import commands
from repair.domain.devices import Device, identify
from repair.domain.resale_values import SkuOnSale
from repair.domain.subscription_commands import Subscribe
from repair.service_layer import diagnosis, intake
from repair.service_layer.intake import drop_off_ticket_id
from repair.service_layer.renewals import run_renewals
from repair.service_layer.subscriptions import subscribe
from services.repair.tests.builders import new_imei, phone, repair_drop_off, sale_of
from services.repair.tests.catalog_builders import discontinued, listed, priced
from services.repair.tests.fakes import START, RepairTwin

BLACK, RED, FOLD = "IP13-128-BLK-VG", "IP13-128-RED-G", "ZFOLD-256-GRN-G"
BEFORE = START - timedelta(days=30)


def _mail(unit_id: str | None = None, model: str = "iphone-13") -> commands.OpenTicketByMail:
    device = Device(phone().identifier, "smartphone", model)
    return commands.OpenTicketByMail("FR", "acct-1", device, unit_id, "cracked", (), "COLIS-1", "customer:acct-1")


def _diagnose(ticket_id: str, estimate: int, resale_value: int | None = None) -> commands.DiagnoseDevice:
    given = Money(resale_value, "EUR") if resale_value is not None else None
    return commands.DiagnoseDevice(ticket_id, ("board dead",), (), Money(estimate, "EUR"), True, given, "tech-1")


async def _catalog(twin: RepairTwin) -> None:
    """Two colours of one model on sale in France, and an accessory repair keeps nothing of."""
    async with twin.consuming() as service:
        await service.deliver(
            listed(BLACK, "iphone-13", BEFORE),
            priced(BLACK, 42_000, BEFORE),
            listed(RED, "iphone-13", BEFORE),
            priced(RED, 36_000, BEFORE),
            listed("CHARGER-20W", "charger-20w", BEFORE, kind="accessory"),
            priced("CHARGER-20W", 1_900, BEFORE),
            producer="catalog",
        )


async def test_the_catalogs_refurbished_skus_and_their_latest_prices_are_kept_per_market() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    async with twin.consuming() as service:
        late = priced(RED, 50_000, BEFORE - timedelta(days=1))  # older than the price kept: a replay
        await service.deliver(late, priced(RED, 35_000, START), priced(FOLD, 99_000, START), producer="catalog")
    assert set(twin.tables.catalog_skus) == {BLACK, RED}
    kept = {key: p.price.amount_minor for key, p in twin.tables.catalog_prices.items()}
    assert kept == {(BLACK, "FR"): 42_000, (RED, "FR"): 35_000}


async def test_a_repair_costing_more_than_the_markets_share_of_the_familys_lowest_price_suggests_a_trade_in() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    opened = await intake.open_ticket_by_mail(_mail(model="iPhone 13"), twin.unit_of_work(), twin.policy, twin.clock)
    ticket_id = opened.ticket.ticket_id
    ticket = await diagnosis.diagnose_device(_diagnose(ticket_id, 30_000), twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.resale_value, ticket.resale_value_source) == (Money(36_000, "EUR"), "catalog_model")
    suggested = twin.store.published(contract.TradeInSuggested)
    assert [(e.ticket_id, e.repair_estimate.amount_minor, e.resale_value.amount_minor) for e in suggested] == [
        (ticket_id, 30_000, 36_000)
    ]
    async with twin.client(staff_headers("repair:read")) as client:
        view = (await client.get(f"/tickets/{ticket_id}")).json()
    assert (view["resale_value"], view["resale_value_source"]) == (
        {"amount_minor": 36_000, "currency": "EUR"},
        "catalog_model",
    )


async def test_a_device_reloop_sold_is_valued_at_its_skus_price_and_a_cheaper_repair_suggests_nothing() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    async with twin.consuming() as service:
        sale = sale_of("U-1", START - timedelta(days=400))  # its warranty is over: the repair is paid
        assert [line.sku for line in sale.lines] == [BLACK]
        await service.deliver(sale, producer="orders")
    opened = await intake.open_ticket_by_mail(_mail(unit_id="U-1"), twin.unit_of_work(), twin.policy, twin.clock)
    command = _diagnose(opened.ticket.ticket_id, 27_000)  # 64% of 42,000: worth repairing
    ticket = await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.resale_value, ticket.resale_value_source) == (Money(42_000, "EUR"), "catalog_sku")
    assert (ticket.beyond_economic_repair, twin.store.published(contract.TradeInSuggested)) == (False, [])


async def test_a_discontinued_sku_no_longer_values_a_device() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    async with twin.consuming() as service:
        await service.deliver(discontinued(RED, START), producer="catalog")
    async with twin.unit_of_work() as uow:
        around = await uow.resale_prices.around("FR", [], ["iphone-13"])
    assert around == [
        SkuOnSale(BLACK, "iphone-13", False, Money(42_000, "EUR")),
        SkuOnSale(RED, "iphone-13", True, Money(36_000, "EUR")),
    ]
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    command = _diagnose(opened.ticket.ticket_id, 30_000)  # 71% of 42,000
    ticket = await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.resale_value, ticket.resale_value_source) == (Money(42_000, "EUR"), "catalog_model")
    assert [e.resale_value.amount_minor for e in twin.store.published(contract.TradeInSuggested)] == [42_000]


async def test_the_workshops_value_wins_and_is_recorded_as_its_own() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    opened = await intake.open_ticket_by_mail(_mail(), twin.unit_of_work(), twin.policy, twin.clock)
    command = _diagnose(opened.ticket.ticket_id, 30_000, resale_value=60_000)
    ticket = await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.resale_value, ticket.resale_value_source) == (Money(60_000, "EUR"), "workshop")
    assert twin.store.published(contract.TradeInSuggested) == []


async def test_a_device_the_catalog_has_no_price_for_gets_no_suggestion() -> None:
    twin = RepairTwin()
    await _catalog(twin)
    opened = await intake.open_ticket_by_mail(_mail(model="galaxy-s21"), twin.unit_of_work(), twin.policy, twin.clock)
    command = _diagnose(opened.ticket.ticket_id, 90_000)
    ticket = await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.resale_value, ticket.resale_value_source, ticket.beyond_economic_repair) == (None, None, False)
    assert twin.store.published(contract.TradeInSuggested) == []


async def test_a_plan_ticket_left_at_a_shop_is_valued_by_the_model_on_the_plans_device() -> None:
    twin = RepairTwin()
    customer, imei = "acct-7", new_imei()
    device = Device(identify("imei", imei), "smartphone", "iphone-13")
    await subscribe(Subscribe(customer, "FR", (device,)), twin.unit_of_work(), twin.clock, twin.plans)
    twin.clock.advance(timedelta(days=35))  # past the waiting period, into a renewed period
    await run_renewals(twin.unit_of_work, twin.clock, twin.plans)
    await _catalog(twin)
    drop_off = repair_drop_off(twin.clock.now(), customer_id=customer, imei=imei)
    assert drop_off.device.sku not in twin.tables.catalog_skus  # the till's SKU tells the catalog nothing
    async with twin.consuming() as service:
        await service.deliver(drop_off, producer="store-sync")
    ticket_id = drop_off_ticket_id(drop_off.drop_off_id)
    command = _diagnose(ticket_id, 30_000)
    ticket = await diagnosis.diagnose_device(command, twin.unit_of_work(), twin.policy, twin.clock)
    assert (ticket.coverage, ticket.resale_value, ticket.resale_value_source) == (
        "plan",
        Money(36_000, "EUR"),
        "catalog_model",
    )
