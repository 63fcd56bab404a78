"""The shop registry: operators, shops, their customer-data policies and their API keys."""

from __future__ import annotations

from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, NotFound
from store_sync.domain.shop_keys import IssuedKey, new_key
from store_sync.domain.shops import Operator, Shop
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


async def register_operator(cmd: commands.RegisterOperator, uow: StoreSyncUnitOfWork, clock: Clock) -> Operator:
    async with uow:
        operator = Operator.create(cmd.operator_id, cmd.name, cmd.pos_format, cmd.policy, clock.now())
        if not await uow.operators.add(operator):
            raise Conflict(f"operator {cmd.operator_id} exists", field="operator_id")
        await uow.commit()
    return operator


async def set_operator_policy(cmd: commands.SetOperatorPolicy, uow: StoreSyncUnitOfWork, clock: Clock) -> list[str]:
    """The operator's default policy; every shop that follows it announces its new policy. Returns
    the shops whose effective policy changed."""
    async with uow:
        if await uow.operators.get(cmd.operator_id, for_update=True) is None:
            raise NotFound(f"no operator {cmd.operator_id}", field="operator_id")
        at = clock.now()
        changed = []
        for shop in await uow.shops.lock_of_operator(cmd.operator_id):
            before = shop.policy
            shop.operator_policy_changed(cmd.policy, at)
            if shop.policy != before:
                changed.append(shop.shop_id)
        await uow.operators.set_policy(cmd.operator_id, cmd.policy)
        await uow.commit()
    return changed


async def register_shop(cmd: commands.RegisterShop, uow: StoreSyncUnitOfWork, clock: Clock) -> tuple[Shop, IssuedKey]:
    """Register the shop and issue its first API key (the only time the key is shown)."""
    async with uow:
        operator = None
        if cmd.operator_id is not None:
            operator = await uow.operators.get(cmd.operator_id)
            if operator is None:
                raise NotFound(f"no operator {cmd.operator_id}", field="operator_id")
        shop = Shop.register(
            cmd.shop_id,
            cmd.name,
            cmd.kind,
            cmd.market,
            cmd.timezone,
            clock.now(),
            operator=operator,
            policy=cmd.policy,
            tax_rate_bp=cmd.tax_rate_bp,
            postal_code=cmd.postal_code,
            opens_on=cmd.opens_on,
        )
        if not await uow.shops.add(shop):
            raise Conflict(f"shop {cmd.shop_id} exists", field="shop_id")
        issued, key_hash = new_key()
        await uow.credentials.add(shop.shop_id, issued.key_id, key_hash)
        await uow.commit()
    return shop, issued


async def set_shop_policy(cmd: commands.SetShopPolicy, uow: StoreSyncUnitOfWork, clock: Clock) -> Shop:
    async with uow:
        shop = await uow.shops.lock(cmd.shop_id)
        shop.set_policy(cmd.policy, clock.now())
        await uow.shops.save_policy(shop)
        await uow.commit()
    return shop


async def issue_key(shop_id: str, uow: StoreSyncUnitOfWork) -> IssuedKey:
    async with uow:
        await uow.shops.lock(shop_id)
        issued, key_hash = new_key()
        await uow.credentials.add(shop_id, issued.key_id, key_hash)
        await uow.commit()
    return issued


async def revoke_key(shop_id: str, key_id: str, uow: StoreSyncUnitOfWork) -> None:
    async with uow:
        if not await uow.credentials.revoke(shop_id, key_id):
            raise NotFound(f"shop {shop_id} has no active key {key_id}", field="key_id")
        await uow.commit()


async def shop(shop_id: str, uow: StoreSyncUnitOfWork) -> Shop:
    """The shop as the registry knows it."""
    async with uow:
        found = await uow.shops.get(shop_id)
    if found is None:
        raise NotFound(f"no shop {shop_id}", field="shop_id")
    return found
