"""Shops for the channel analytics: as store-sync's registry announces them (their postal code
gives their catchment), or as declared in CRM, which wins (an operator's deliberate answer, e.g.
a catchment wider than one postal area)."""

from __future__ import annotations

from datetime import datetime

from crm.domain import commands
from crm.domain.analytics import postal_prefix
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


async def when_shop_registered_record_it(cmd: commands.RecordRegisteredShop, uow: CrmUnitOfWork) -> None:
    prefix = postal_prefix(cmd.postal_code)
    opened_on = cmd.opens_on or cmd.registered_at.date()
    async with uow:
        await uow.reference.save_registered_shop(
            cmd.shop_id, cmd.kind, cmd.market, [prefix] if prefix else [], opened_on, cmd.registered_at
        )
        await uow.commit()
