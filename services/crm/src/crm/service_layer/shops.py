"""Shops for the channel analytics: declared in CRM (which wins), or from store-sync's registry."""

from __future__ import annotations

from crm.domain import commands, events
from crm.domain.shops import declared_shop, registered_shop
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_shared.clock import Clock


async def declare_shop(cmd: commands.DeclareShop, uow: CrmUnitOfWork, clock: Clock) -> events.ShopCatchmentDeclared:
    event = declared_shop(cmd, clock.now())
    async with uow:
        await _save(uow, event)
        uow.record(event)
        await uow.commit()
    return event


async def when_shop_declared_record_it(event: events.ShopCatchmentDeclared, uow: CrmUnitOfWork) -> None:
    async with uow:
        await _save(uow, event)
        await uow.commit()


async def _save(uow: CrmUnitOfWork, event: events.ShopCatchmentDeclared) -> None:
    await uow.shops.declare(
        event.shop_id, event.kind, event.market, sorted(event.catchment_prefixes), event.opened_on, event.declared_at
    )


async def when_shop_registered_record_it(cmd: commands.RecordRegisteredShop, uow: CrmUnitOfWork) -> None:
    shop = registered_shop(cmd)
    async with uow:
        await uow.shops.register(
            shop.shop_id, shop.kind, shop.market, shop.catchment_prefixes, shop.opened_on, shop.registered_at
        )
        await uow.commit()
