"""The buy-back grid, managed by the business (scope `trade-in:pricing`)."""

from __future__ import annotations

from trade_in.domain import catalog_commands, commands
from trade_in.domain.errors import NotFound
from trade_in.domain.pricing import DerivationRule, GridEntry, GridKey, priced
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


async def set_derivation_rule(cmd: catalog_commands.SetDerivationRule, uow: TradeInUnitOfWork) -> DerivationRule:
    """Set how a market's (or one family's) grid follows resale prices; quotes already given keep
    the price they locked, the next ones are priced by the new rule."""
    rule = DerivationRule(cmd.market, cmd.model_family, cmd.margin_bps, cmd.monthly_decay_bps, cmd.floor)
    async with uow:
        await uow.derivation_rules.put(rule)
        await uow.commit()
    return rule


async def remove_derivation_rule(cmd: catalog_commands.RemoveDerivationRule, uow: TradeInUnitOfWork) -> None:
    """Stop deriving by this rule (a family without its own rule falls back on the market's)."""
    async with uow:
        removed = await uow.derivation_rules.remove(cmd.market, cmd.model_family)
        if not removed:
            scope = f"{cmd.market} {cmd.model_family}" if cmd.model_family else cmd.market
            raise NotFound(f"no derivation rule for {scope}", field="model_family" if cmd.model_family else "market")
        await uow.commit()


async def derivation_rules(uow: TradeInUnitOfWork, market: str) -> list[DerivationRule]:
    async with uow:
        return await uow.derivation_rules.of_market(market)


async def grid_entry(uow: TradeInUnitOfWork, key: GridKey) -> GridEntry:
    """The entry a quote of `key` is priced by: the one set by hand, else the one derived from resale."""
    async with uow:
        entry = await uow.price_grid.get(key)
    return priced(entry, key)
