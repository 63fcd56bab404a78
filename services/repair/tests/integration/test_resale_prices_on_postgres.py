"""The catalog's resale prices on the real PostgreSQL: the projection keeps refurbished SKUs and
their latest price per market, finds a device's SKUs and model family in one query as the twin
does, and a diagnosis valued by it reads back with where its value came from.

Each test migrates a database of its own (the shared tables and repair's migrations, as the service
does at start) and runs the handlers on units of work of their own connections.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from reloop_shared.clock import FixedClock
from reloop_shared.db.migrations import SHARED, MigrationSource, migrate
from reloop_shared.db.pool import create_pool
from reloop_shared.db.types import Pool
from reloop_shared.outbox.writer import OutboxWriter
from repair.adapters import resale_price_translators as translators
from repair.adapters.postgres_unit_of_work import PostgresRepairUnitOfWork
from repair.adapters.translators import to_contract
from repair.domain import commands
from repair.domain.devices import Device
from repair.domain.resale_values import CatalogSku, ResalePrice, SkuOnSale
from repair.domain.workshop_policy import WorkshopPolicy
from repair.service_layer import diagnosis, intake, resale_prices
from repair.service_layer.views import ticket_view
from services.repair.tests.builders import phone
from services.repair.tests.catalog_builders import discontinued, listed, priced

pytestmark = pytest.mark.connected

NOW = datetime.now(UTC).replace(microsecond=0)
BEFORE = NOW - timedelta(days=10)
MIGRATIONS = [SHARED, MigrationSource("repair", "repair", "migrations")]
POLICY = WorkshopPolicy(centres={"FR": "CENTRE-LYON"})
BLACK, RED, TB = "IP13-128-BLK-VG", "IP13-128-RED-G", "IP14-128-BLK-VG"


class Projection:
    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self.clock = FixedClock(NOW)

    def uow(self) -> PostgresRepairUnitOfWork:
        return PostgresRepairUnitOfWork(OutboxWriter("repair"), to_contract, pool=self.pool)

    async def list(self, sku: str, product_id: str) -> None:
        await resale_prices.when_sku_listed_keep_it(translators.listing(listed(sku, product_id, BEFORE)), self.uow())

    async def price(self, sku: str, amount_minor: int, at: datetime, market: str = "FR") -> None:
        command = translators.resale_price(priced(sku, amount_minor, at, market=market))
        await resale_prices.when_sku_priced_follow_its_price(command, self.uow())

    async def around(self, market: str, skus: list[str], models: list[str]) -> list[SkuOnSale]:
        async with self.uow() as uow:
            return await uow.resale_prices.around(market, skus, models)


@pytest.fixture
async def projection(database_url: str) -> AsyncIterator[Projection]:
    pool = await create_pool(database_url, size=4)
    try:
        async with pool.acquire() as conn:
            await migrate(conn, MIGRATIONS)
        yield Projection(pool)
    finally:
        await pool.close()


async def test_only_a_later_price_of_a_listed_sku_is_kept_per_market(projection: Projection) -> None:
    await projection.list(BLACK, "iphone-13")
    await projection.price(BLACK, 42_000, BEFORE)
    await projection.price(BLACK, 45_000, BEFORE - timedelta(days=1))  # late: older than the one kept
    await projection.price(BLACK, 40_000, NOW)
    await projection.price(BLACK, 39_000, NOW, market="DE")
    await projection.price("NEVER-LISTED", 10_000, NOW)  # no listing, no device: nothing kept, no error
    async with projection.uow() as uow:
        listing, price = await uow.resale_prices.price_of(BLACK, "FR")
        assert await uow.resale_prices.price_of("NEVER-LISTED", "FR") == (None, None)
    assert listing == CatalogSku(BLACK, "iphone-13", 128, "very_good")
    assert price == ResalePrice(BLACK, "FR", Money(40_000, "EUR"), NOW)
    rows = await projection.pool.fetch("SELECT market, amount_minor FROM catalog_prices ORDER BY market")
    assert [(r["market"], r["amount_minor"]) for r in rows] == [("DE", 39_000), ("FR", 40_000)]


async def test_a_device_finds_its_sku_and_its_familys_skus_priced_in_its_market(projection: Projection) -> None:
    for sku, family in ((BLACK, "iphone-13"), (RED, "iphone-13"), (TB, "iphone-14")):
        await projection.list(sku, family)
    await projection.price(BLACK, 42_000, BEFORE)
    await projection.price(TB, 55_000, BEFORE)
    await projection.price(RED, 30_000, BEFORE, market="DE")
    command = translators.discontinued(discontinued(BLACK, NOW))
    await resale_prices.when_sku_discontinued_stop_counting_it(command, projection.uow())
    await projection.list(BLACK, "iphone-13")  # listed again: still discontinued
    family = [
        SkuOnSale(BLACK, "iphone-13", True, Money(42_000, "EUR")),
        SkuOnSale(RED, "iphone-13", False, None),  # priced in Germany only
    ]
    assert await projection.around("FR", [BLACK], []) == family  # a sold SKU brings its family
    assert await projection.around("FR", [], ["iphone-13"]) == family
    assert await projection.around("FR", ["NOT-A-SKU"], ["iphone-14"]) == [
        SkuOnSale(TB, "iphone-14", False, Money(55_000, "EUR"))
    ]
    assert await projection.around("FR", [], ["galaxy-s21"]) == []


async def test_a_diagnosis_valued_by_the_catalog_reads_back_with_its_source(projection: Projection) -> None:
    await projection.list(RED, "iphone-13")
    await projection.price(RED, 36_000, BEFORE)
    device = Device(phone().identifier, "smartphone", "iPhone 13")
    parcel = commands.OpenTicketByMail("FR", "acct-1", device, None, "dead", (), "COLIS-1", "customer")
    opened = await intake.open_ticket_by_mail(parcel, projection.uow(), POLICY, projection.clock)
    ticket_id = opened.ticket.ticket_id
    command = commands.DiagnoseDevice(ticket_id, ("board dead",), (), Money(30_000, "EUR"), True, None, "tech")
    await diagnosis.diagnose_device(command, projection.uow(), POLICY, projection.clock)
    ticket = await ticket_view(projection.uow(), ticket_id)
    assert (ticket.resale_value, ticket.resale_value_source, ticket.beyond_economic_repair) == (
        Money(36_000, "EUR"),
        "catalog_model",
        True,
    )
    suggested = await projection.pool.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'TradeInSuggested'")
    assert suggested == 1
