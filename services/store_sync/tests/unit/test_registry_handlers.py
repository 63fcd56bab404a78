"""The shop registry on the twin: operators, shops, their policies and their keys."""

from __future__ import annotations

import pytest

from reloop_contracts import store
from services.store_sync.tests.builders import register_paris, register_partner
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, InvalidShop, NotFound
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.domain.shop_keys import digest
from store_sync.service_layer import registry

ALWAYS = CustomerDataPolicy("reloop", "always")


async def test_registering_a_shop_announces_it_and_issues_its_first_key() -> None:
    twin = Twin()
    command = commands.RegisterShop(
        "PAR-1", "Paris", "own_shop", "FR", "Europe/Paris", postal_code="75001", opens_on=twin.clock.now().date()
    )
    shop, key = await registry.register_shop(command, twin.uow(), twin.clock)
    [announced] = twin.store.published(store.ShopRegistered)
    assert (announced.shop_id, announced.market, announced.currency, announced.postal_code) == (
        "PAR-1",
        "FR",
        "EUR",
        "75001",
    )
    assert twin.tables.credentials[key.key_id].key_hash == digest(key.api_key), "only the digest is kept"
    assert (await registry.shop("PAR-1", twin.uow())).tax_rate_bp == shop.tax_rate_bp == 2000


async def test_a_shop_id_taken_is_a_conflict_and_announces_nothing_more() -> None:
    twin = Twin()
    await register_paris(twin)
    with pytest.raises(Conflict):
        await register_paris(twin)
    assert len(twin.store.published(store.ShopRegistered)) == 1


async def test_a_partner_shop_of_an_unknown_operator_is_not_found() -> None:
    twin = Twin()
    command = commands.RegisterShop("LYON-1", "Lyon", "partner_shop", "FR", "Europe/Paris", operator_id="nobody")
    with pytest.raises(NotFound):
        await registry.register_shop(command, twin.uow(), twin.clock)


async def test_an_operator_id_taken_is_a_conflict() -> None:
    twin = Twin()
    await register_partner(twin)
    with pytest.raises(Conflict):
        await registry.register_operator(commands.RegisterOperator("telco", "T", "telco_pos"), twin.uow(), twin.clock)


async def test_an_operators_new_policy_is_announced_by_each_shop_that_follows_it() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    changed = await registry.set_operator_policy(commands.SetOperatorPolicy("telco", ALWAYS), twin.uow(), twin.clock)
    assert changed == [shop_id]
    [announced] = twin.store.published(store.CustomerDataPolicyChanged)
    assert (announced.customer_data.data_owner, announced.previous.data_owner) == ("reloop", "partner")
    assert (await registry.shop(shop_id, twin.uow())).policy == ALWAYS


async def test_a_shop_with_its_own_policy_ignores_its_operators_change() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    never = CustomerDataPolicy("partner", "never")
    await registry.set_shop_policy(commands.SetShopPolicy(shop_id, never), twin.uow(), twin.clock)
    changed = await registry.set_operator_policy(commands.SetOperatorPolicy("telco", ALWAYS), twin.uow(), twin.clock)
    assert changed == []
    assert (await registry.shop(shop_id, twin.uow())).policy == never


async def test_an_own_shop_refusing_a_partner_policy_keeps_its_own() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    partner_owned = CustomerDataPolicy("partner", "with_consent")
    with pytest.raises(InvalidShop):
        await registry.set_shop_policy(commands.SetShopPolicy(shop_id, partner_owned), twin.uow(), twin.clock)
    assert (await registry.shop(shop_id, twin.uow())).policy == ALWAYS
    assert twin.store.published(store.CustomerDataPolicyChanged) == []


async def test_a_key_rotated_then_revoked_once() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    key = await registry.issue_key(shop_id, twin.uow())
    await registry.revoke_key(shop_id, key.key_id, twin.uow())
    assert twin.tables.credentials[key.key_id].revoked
    with pytest.raises(NotFound):
        await registry.revoke_key(shop_id, key.key_id, twin.uow())


async def test_a_shop_not_registered_is_not_found() -> None:
    with pytest.raises(NotFound):
        await registry.shop("NOWHERE-1", Twin().uow())
