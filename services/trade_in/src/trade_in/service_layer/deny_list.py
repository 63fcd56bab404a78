"""The local deny list of stolen or blacklisted devices (scope `trade-in:pricing`)."""

from __future__ import annotations

from reloop_shared.clock import Clock
from trade_in.domain import commands
from trade_in.domain.errors import NotFound
from trade_in.service_layer.ports import DenyListEntry
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def deny_device(cmd: commands.DenyDevice, uow: TradeInUnitOfWork, clock: Clock) -> DenyListEntry:
    """List a device (listing it again replaces the reason): checked at quote, receipt and payout."""
    entry = DenyListEntry(cmd.identifier, cmd.reason, cmd.by, clock.now())
    async with uow:
        await uow.deny_list.add(entry)
        await uow.commit()
    return entry


async def allow_device(cmd: commands.AllowDevice, uow: TradeInUnitOfWork) -> None:
    async with uow:
        if not await uow.deny_list.remove(cmd.identifier):
            raise NotFound(f"{cmd.identifier.kind} {cmd.identifier.value} is not on the deny list", field="identifier")
        await uow.commit()


async def deny_list_entries(uow: TradeInUnitOfWork, after: tuple[str, str] | None, limit: int) -> list[DenyListEntry]:
    async with uow:
        return await uow.deny_list.find(after, limit)
