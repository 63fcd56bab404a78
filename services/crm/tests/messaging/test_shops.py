"""Shops for the channel analytics: store-sync's registry announces them, a declaration made in CRM
(read back from `crm.shops.v1`) wins over it whatever the order. Each test runs on the twin and,
marked `connected`, on the real Kafka and PostgreSQL."""

from __future__ import annotations

from datetime import date

from crm.adapters.readers import ShopRegistered
from crm.domain.shops import ShopOnRecord
from reloop_contracts import crm as contract
from services.crm.tests.messaging.crm_under_test import CrmUnderTest, new_id, now


def registered(shop_id: str, postal_code: str | None, opens_on: date | None = None) -> ShopRegistered:
    """As store-sync announces it, in the fields CRM reads: `deliver` encodes with the service's own
    registry, which decodes `store.shops.v1` with CRM's tolerant reader."""
    return ShopRegistered(
        shop_id=shop_id,
        kind="own_shop",
        market="FR",
        registered_at=now(),
        postal_code=postal_code,
        opens_on=opens_on,
    )


def declared(shop_id: str, prefixes: list[str], opened_on: date) -> contract.ShopCatchmentDeclared:
    return contract.ShopCatchmentDeclared(
        shop_id=shop_id,
        kind="own_shop",
        market="FR",
        catchment_prefixes=prefixes,
        opened_on=opened_on,
        declared_at=now(),
    )


async def shop(crm: CrmUnderTest, shop_id: str) -> ShopOnRecord | None:
    async with crm.unit_of_work() as uow:
        return await uow.shops.get(shop_id)


async def test_a_registered_shop_serves_its_postal_prefix_from_its_opening_or_registration_day(
    crm: CrmUnderTest,
) -> None:
    lyon, lille = new_id("shop-lyon"), new_id("shop-lille")
    without_opening_day = registered(lille, None)

    await crm.deliver(registered(lyon, "69002", date(2026, 6, 1)), without_opening_day, producer="store-sync")

    assert await shop(crm, lyon) == ShopOnRecord(lyon, "own_shop", "FR", ["69"], date(2026, 6, 1), "registry")
    assert await shop(crm, lille) == ShopOnRecord(
        lille, "own_shop", "FR", [], without_opening_day.registered_at.date(), "registry"
    )


async def test_a_declared_shop_wins_over_the_registry_whichever_is_read_first(crm: CrmUnderTest) -> None:
    registry_first, declared_first = new_id("shop-lyon"), new_id("shop-nantes")

    await crm.deliver(registered(registry_first, "69002", date(2026, 6, 1)), producer="store-sync")
    await crm.deliver(
        declared(registry_first, ["01", "69"], date(2026, 6, 2)),
        declared(declared_first, ["44", "85"], date(2026, 7, 1)),
        producer="crm",
    )
    await crm.deliver(
        registered(declared_first, "44000", date(2026, 6, 20)),
        registered(registry_first, "69002", date(2026, 6, 1)),
        producer="store-sync",
    )

    lyon, nantes = await shop(crm, registry_first), await shop(crm, declared_first)
    assert lyon == ShopOnRecord(registry_first, "own_shop", "FR", ["01", "69"], date(2026, 6, 2), "declared")
    assert nantes == ShopOnRecord(declared_first, "own_shop", "FR", ["44", "85"], date(2026, 7, 1), "declared")
    assert await crm.published(contract.ShopCatchmentDeclared) == []
