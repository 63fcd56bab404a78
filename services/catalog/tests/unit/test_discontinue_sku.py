"""Discontinuing a SKU, on the in-memory twin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from catalog.domain import commands
from catalog.domain.errors import NotFound
from catalog.service_layer import handlers
from reloop_contracts import catalog as contract
from reloop_shared.clock import FixedClock
from services.catalog.tests.builders import IPHONE, NOW, listed_iphone
from services.catalog.tests.fakes import CatalogTwin


async def test_a_discontinued_sku_keeps_when_and_why_and_is_announced() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    await listed_iphone(twin)
    await handlers.discontinue_sku(commands.DiscontinueSku(IPHONE, "end of life"), twin.unit_of_work(), twin.clock)
    stored = twin.tables.skus[IPHONE]
    assert (stored.discontinued_at, stored.discontinued_reason) == (NOW, "end of life")
    [discontinued] = twin.store.published(contract.SkuDiscontinued)
    assert (discontinued.sku, discontinued.reason, discontinued.discontinued_at) == (IPHONE, "end of life", NOW)


async def test_discontinuing_a_sku_again_changes_and_announces_nothing() -> None:
    clock = FixedClock(NOW)
    twin = CatalogTwin(clock)
    await listed_iphone(twin)
    await handlers.discontinue_sku(commands.DiscontinueSku(IPHONE, "end of life"), twin.unit_of_work(), clock)
    clock.advance(timedelta(days=1))
    await handlers.discontinue_sku(commands.DiscontinueSku(IPHONE, "recalled"), twin.unit_of_work(), clock)
    stored = twin.tables.skus[IPHONE]
    assert (stored.discontinued_at, stored.discontinued_reason) == (NOW, "end of life")
    assert len(twin.store.published(contract.SkuDiscontinued)) == 1


async def test_discontinuing_an_unknown_sku_is_refused_naming_the_sku() -> None:
    twin = CatalogTwin(FixedClock(NOW))
    with pytest.raises(NotFound) as refused:
        await handlers.discontinue_sku(commands.DiscontinueSku("NOPE-1", "why"), twin.unit_of_work(), twin.clock)
    assert refused.value.field == "sku"
    assert twin.store.outbox == []
