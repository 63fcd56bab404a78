"""The buy-back grid derived from the catalog's resale prices on the real PostgreSQL and Kafka: the
catalog's SKU events published as its outbox would, consumed by trade-in's catalog handlers in
the consuming transaction, and quotes priced through the service's own HTTP edge.

Until `consumers.py` merges `catalog_consumers.handlers` into the service's one consumer group,
the fixture subscribes them on their own, under a group of their own (so it never shares the
service's group's partitions with it once it is merged)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from reloop_contracts import catalog
from reloop_localstack.testing import (
    api,
    customer_headers,
    eventually,
    publish,
    running,
    service_settings,
    staff_headers,
)
from reloop_shared.clock import FixedClock
from trade_in.bootstrap import build
from trade_in.config import TradeInSettings

pytestmark = pytest.mark.connected

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRICED_ON = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)
"""One whole month before NOW: a price derived from it has lost one month's decay."""
RULE = {"margin_bps": 3500, "monthly_decay_bps": 200, "floor": {"amount_minor": 5000, "currency": "EUR"}}


class Stack:
    def __init__(self, app: Any, clock: FixedClock, bootstrap: str) -> None:
        self.app, self.clock, self.bootstrap = app, clock, bootstrap
        self.family = f"phone-{uuid.uuid4().hex[:10]}"
        """A model of this test's own: the catalog topic is shared by the whole session."""

    def pricing(self) -> httpx.AsyncClient:
        return api(self.app, headers=staff_headers("trade-in:pricing"))

    def sku(self, colour: str) -> str:
        return f"{self.family.upper()}-128-{colour}-EX"

    async def catalog_publishes(self, *events: catalog.SkuListed | catalog.SkuPriced | catalog.SkuDiscontinued) -> None:
        await publish(self.bootstrap, events, producer="catalog")

    async def entry(self) -> dict[str, Any] | None:
        async with self.pricing() as pricing:
            response = await pricing.get(f"/price-grid/FR/{self.family}/128/excellent")
        return response.json() if response.status_code == 200 else None

    async def entry_becomes(
        self, check: Callable[[dict[str, Any] | None], bool], message: str
    ) -> dict[str, Any] | None:
        async def holds() -> bool:
            return check(await self.entry())

        await eventually(holds, message=message)
        return await self.entry()

    async def quote(self) -> httpx.Response:
        body = {
            "market": "FR",
            "model_family": self.family,
            "storage_gb": 128,
            "category": "smartphone",
            "declared_grade": "excellent",
            "answers": {
                "screen": "flawless",
                "body": "flawless",
                "powers_on": True,
                "functional_checks_passed": True,
                "activation_lock_removed": True,
            },
        }
        async with api(self.app, headers=customer_headers(f"cust-{uuid.uuid4().hex[:8]}")) as customer:
            return await customer.post("/quotes", json=body)

    def listed(self, colour: str) -> catalog.SkuListed:
        return catalog.SkuListed(
            sku=self.sku(colour),
            product_id=self.family,
            kind="refurbished_device",
            title=f"{self.family} 128 GB {colour}",
            grade="excellent",
            storage_gb=128,
            colour=colour.lower(),
            listed_at=PRICED_ON - timedelta(days=30),
        )

    def priced(self, colour: str, cents: int, at: datetime) -> catalog.SkuPriced:
        price = {"amount_minor": cents, "currency": "EUR"}
        return catalog.SkuPriced.model_validate(
            {"sku": self.sku(colour), "market": "FR", "price": price, "effective_at": at}
        )


@pytest.fixture
async def stack(env: dict[str, str], new_database: Callable[[], Awaitable[str]]) -> AsyncIterator[Stack]:
    clock = FixedClock(NOW)
    runtime, app = build(service_settings(TradeInSettings, env, await new_database()), clock=clock)
    async with running(runtime):
        stack = Stack(app, clock, env["KAFKA_BOOTSTRAP_SERVERS"])
        async with stack.pricing() as pricing:
            response = await pricing.put("/price-grid-rules/FR", json=RULE)
            assert response.status_code == 200, response.text
        yield stack


async def test_a_sku_priced_by_the_catalog_makes_a_quote_priced_at_resale_less_margin_decayed_with_age(
    stack: Stack,
) -> None:
    await stack.catalog_publishes(stack.listed("BLACK"), stack.priced("BLACK", 60000, PRICED_ON))
    entry = await stack.entry_becomes(lambda e: e is not None, "the catalog's price reached the grid")
    assert entry is not None
    assert (entry["source"], entry["price"]["amount_minor"], entry["released_on"]) == ("resale", 39000, "2026-01-10")

    quoted = await stack.quote()
    assert quoted.status_code == 201, quoted.text
    assert quoted.json()["offered"]["amount_minor"] == 39000 * 98 // 100  # one month at 2%

    stack.clock.advance(timedelta(days=31))  # 2 April: two whole months since the price took effect
    assert (await stack.quote()).json()["offered"]["amount_minor"] == 39000 * 96 // 100


async def test_the_grid_keeps_the_latest_price_follows_the_cheapest_colour_and_drops_a_discontinued_one(
    stack: Stack,
) -> None:
    later = PRICED_ON + timedelta(days=20)
    await stack.catalog_publishes(
        stack.listed("BLACK"),
        stack.listed("RED"),
        stack.priced("BLACK", 50000, later),
        stack.priced("BLACK", 60000, PRICED_ON),  # older, delivered late: kept out
        stack.priced("RED", 70000, PRICED_ON),
    )
    entry = await stack.entry_becomes(
        lambda e: e is not None and e["price"]["amount_minor"] == 32500, "the black one's latest price priced it"
    )
    assert entry is not None
    assert entry["released_on"] == later.date().isoformat()

    await stack.catalog_publishes(
        catalog.SkuDiscontinued(sku=stack.sku("BLACK"), reason="end of range", discontinued_at=later)
    )
    entry = await stack.entry_becomes(
        lambda e: e is not None and e["price"]["amount_minor"] == 45500, "the red one priced it once black was gone"
    )

    await stack.catalog_publishes(
        catalog.SkuDiscontinued(sku=stack.sku("RED"), reason="end of range", discontinued_at=later)
    )
    await stack.entry_becomes(lambda e: e is None, "nothing priced it once every colour was gone")
    refused = await stack.quote()
    assert (refused.status_code, refused.json()["field"]) == (422, "device")


async def test_an_entry_set_by_hand_wins_over_the_derived_one_on_postgres(stack: Stack) -> None:
    await stack.catalog_publishes(stack.listed("BLACK"), stack.priced("BLACK", 60000, PRICED_ON))
    await stack.entry_becomes(lambda e: e is not None, "the catalog's price reached the grid")
    by_hand = {
        "price": {"amount_minor": 45000, "currency": "EUR"},
        "floor": {"amount_minor": 5000, "currency": "EUR"},
        "released_on": "2026-03-01",
        "monthly_decay_bps": 0,
    }
    async with stack.pricing() as pricing:
        assert (await pricing.put(f"/price-grid/FR/{stack.family}/128/excellent", json=by_hand)).status_code == 200
    entry = await stack.entry()
    assert entry is not None
    assert (entry["source"], entry["price"]["amount_minor"]) == ("manual", 45000)
    assert (await stack.quote()).json()["offered"]["amount_minor"] == 45000
