"""Shops declared for the channel analytics (until store-sync's shop registry is read instead)."""

from __future__ import annotations

from datetime import datetime

from crm.domain import commands
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts.crm import ShopCatchmentDeclared


async def declare_shop(cmd: commands.DeclareShop, uow: CrmUnitOfWork, now: datetime) -> ShopCatchmentDeclared:
    event = ShopCatchmentDeclared(
        shop_id=cmd.shop_id,
        kind=cmd.kind,
        market=cmd.market,
        catchment_prefixes=list(cmd.catchment_prefixes),
        opened_on=cmd.opened_on,
        declared_at=now,
    )
    async with uow:
        await _record(uow, event)
        uow.publish(event)
        await uow.commit()
    return event


async def when_shop_declared_record_it(event: ShopCatchmentDeclared, uow: CrmUnitOfWork) -> None:
    async with uow:
        await _record(uow, event)
        await uow.commit()


async def _record(uow: CrmUnitOfWork, event: ShopCatchmentDeclared) -> None:
    await uow.reference.save_shop(
        event.shop_id, event.kind, event.market, sorted(event.catchment_prefixes), event.opened_on, event.declared_at
    )
