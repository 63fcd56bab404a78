"""Shops for the analytics: from store-sync's registry, or declared in CRM, which wins."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crm.domain.commands import DeclareShop, RecordRegisteredShop
from crm.domain.errors import InvalidCatchment
from crm.service_layer import shops
from reloop_contracts import crm
from reloop_shared.clock import FixedClock
from services.crm.tests.fakes import new_store, unit_of_work
from services.crm.tests.given import NOW

REGISTERED_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def registered(shop_id: str, postal_code: str | None, opens_on: date | None = None) -> RecordRegisteredShop:
    return RecordRegisteredShop(shop_id, "own_shop", "FR", postal_code, opens_on, REGISTERED_AT)


async def test_a_registered_shop_serves_its_postal_prefix_from_its_opening_or_registration_day() -> None:
    store = new_store()
    await shops.when_shop_registered_record_it(registered("shop-lyon", "69002", date(2026, 6, 1)), unit_of_work(store))
    await shops.when_shop_registered_record_it(registered("partner-lille", None), unit_of_work(store))

    lyon, lille = store.tables.shops["shop-lyon"], store.tables.shops["partner-lille"]
    assert (lyon.catchment_prefixes, lyon.opened_on, lyon.source) == (["69"], date(2026, 6, 1), "registry")
    assert (lille.catchment_prefixes, lille.opened_on) == ([], date(2026, 5, 4))
    assert store.outbox == []


async def test_a_declared_shop_is_published_and_wins_over_the_registry_in_either_order() -> None:
    store = new_store()
    declare = DeclareShop("shop-nantes", "own_shop", "FR", ("44", "85"), date(2026, 7, 1))
    await shops.when_shop_registered_record_it(registered("shop-nantes", "44000"), unit_of_work(store))
    await shops.declare_shop(declare, unit_of_work(store), FixedClock(NOW))
    await shops.when_shop_registered_record_it(registered("shop-nantes", "44000"), unit_of_work(store))

    nantes = store.tables.shops["shop-nantes"]
    assert (nantes.catchment_prefixes, nantes.opened_on, nantes.source) == (["44", "85"], date(2026, 7, 1), "declared")
    [published] = store.published(crm.ShopCatchmentDeclared)
    assert (published.shop_id, published.catchment_prefixes, published.declared_at) == (
        "shop-nantes",
        ["44", "85"],
        NOW,
    )


async def test_a_declaration_read_back_does_not_undo_a_later_one() -> None:
    store = new_store()
    first = DeclareShop("shop-1", "own_shop", "FR", ("75",), date(2026, 7, 1))
    later = DeclareShop("shop-1", "own_shop", "FR", ("75", "92"), date(2026, 7, 2))
    earlier_event = await shops.declare_shop(first, unit_of_work(store), FixedClock(NOW))
    await shops.declare_shop(later, unit_of_work(store), FixedClock(NOW.replace(hour=13)))

    await shops.when_shop_declared_record_it(earlier_event, unit_of_work(store))

    assert store.tables.shops["shop-1"].catchment_prefixes == ["75", "92"]


async def test_a_catchment_of_prefixes_that_are_not_two_characters_is_refused() -> None:
    store = new_store()
    declare = DeclareShop("shop-1", "own_shop", "FR", ("750",), date(2026, 7, 1))
    with pytest.raises(InvalidCatchment) as refused:
        await shops.declare_shop(declare, unit_of_work(store), FixedClock(NOW))
    assert refused.value.field == "catchment_prefixes"
    assert store.tables.shops == {}
    assert store.outbox == []
