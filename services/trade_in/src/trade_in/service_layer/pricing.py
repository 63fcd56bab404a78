"""The buy-back grid, managed by the business (scope `trade-in:pricing`)."""

from __future__ import annotations

from trade_in.domain import commands
from trade_in.domain.pricing import GridEntry, GridKey
from trade_in.service_layer.unit_of_work import TradeInUnitOfWork


async def set_grid_entry(cmd: commands.SetGridEntry, uow: TradeInUnitOfWork) -> GridEntry:
    """Set one price of the grid; quotes already given keep the price they locked."""
    entry = GridEntry(
        GridKey(cmd.market, cmd.model_family, cmd.storage_gb, cmd.grade),
        cmd.price,
        cmd.released_on,
        cmd.monthly_decay_bps,
        cmd.floor,
    )
    async with uow:
        await uow.price_grid.put(entry)
        await uow.commit()
    return entry


async def grid_entries(
    uow: TradeInUnitOfWork, market: str, model_family: str | None, after: tuple[str, int, str] | None, limit: int
) -> list[GridEntry]:
    async with uow:
        return await uow.price_grid.find(market, model_family, after, limit)
