"""The twin keeps the database's invariants, so what the handlers' unit tests show holds on it."""

from __future__ import annotations

import pytest

from reloop_contracts import store
from services.store_sync.tests.builders import NOW, register_paris
from services.store_sync.tests.fakes import Twin
from store_sync.domain.policy import CustomerDataPolicy


async def test_a_change_not_committed_is_neither_kept_nor_published() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    async with twin.uow() as uow:
        shop = await uow.shops.lock(shop_id)
        shop.set_policy(CustomerDataPolicy("reloop", "never"), NOW)
        await uow.shops.save_policy(shop)
    assert twin.tables.shops[shop_id].own_policy is None
    assert twin.store.published(store.CustomerDataPolicyChanged) == []


async def test_a_refused_transaction_leaves_the_store_as_it_was() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)

    async def failing_after_saving() -> None:
        async with twin.uow() as uow:
            shop = await uow.shops.lock(shop_id)
            shop.set_policy(CustomerDataPolicy("reloop", "never"), NOW)
            await uow.shops.save_policy(shop)
            raise RuntimeError("the handler failed after saving")

    with pytest.raises(RuntimeError):
        await failing_after_saving()
    assert twin.tables.shops[shop_id].own_policy is None


async def test_a_shop_loaded_is_a_copy_and_a_locked_one_is_tracked() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    async with twin.uow() as uow:
        read = await uow.shops.get(shop_id)
        locked = await uow.shops.lock(shop_id)
        assert read is not None
        read.name = "renamed, never saved"
        assert read not in uow.seen
        assert locked in uow.seen
    assert twin.tables.shops[shop_id].name == "Paris Rivoli"


async def test_a_shop_id_taken_is_refused_as_the_database_refuses_it() -> None:
    twin = Twin()
    await register_paris(twin)
    async with twin.uow() as uow:
        shop = await uow.shops.get("PAR-1")
        assert shop is not None
        assert await uow.shops.add(shop) is False
