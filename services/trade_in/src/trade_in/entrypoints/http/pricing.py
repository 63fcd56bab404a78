"""The buy-back grid, managed by the business: entries set by hand, and rules deriving entries
from the catalog's resale prices. An entry set by hand always wins over a derived one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from reloop_contracts.money import Market
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from trade_in.domain import catalog_commands, commands
from trade_in.domain.grades import Grade
from trade_in.domain.pricing import GridKey
from trade_in.entrypoints.http.catalog_rule_schemas import DerivationRuleIn, DerivationRuleOut, PricedEntryOut
from trade_in.entrypoints.http.edge import Edge
from trade_in.entrypoints.http.schemas import GridEntryIn, GridEntryOut
from trade_in.entrypoints.http.scopes import PRICING
from trade_in.service_layer import pricing

Family = Annotated[str, Path(min_length=1, max_length=64, description="The catalog's product id of the model.")]
DERIVED = (
    "A device with no entry set by hand is priced at the resale price the catalog publishes for its model, "
    "storage and grade in the market (the lowest of its colours still sold) less the margin, decaying by the "
    "monthly share from the day that price took effect, never below the floor. Entries set by hand "
    "(`PUT /price-grid/...`) always win over derived ones. Quotes already given keep their price."
)


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["price grid"], dependencies=[requires(PRICING)])

    @routes.put(
        "/price-grid/{market}/{model_family}/{storage_gb}/{grade}",
        summary="Set what reloop pays for a model, storage and grade in a market",
        description="An entry set here wins over the one a derivation rule gives from the catalog's resale price.",
    )
    async def put_entry(
        market: Market,
        model_family: Family,
        storage_gb: Annotated[int, Path(ge=0, le=65536)],
        grade: Grade,
        body: GridEntryIn,
    ) -> GridEntryOut:
        command = commands.SetGridEntry(
            market,
            model_family,
            storage_gb,
            grade,
            body.price.value(),
            body.released_on,
            body.monthly_decay_bps,
            body.floor.value(),
        )
        return GridEntryOut.of(await pricing.set_grid_entry(command, on.unit_of_work()))

    @routes.get(
        "/price-grid/{market}",
        summary="A market's grid, by model, storage and grade",
        description="The entries set by hand. Derived ones are not stored: "
        "`GET /price-grid/{market}/{model_family}/{storage_gb}/{grade}` shows the entry a quote would use.",
    )
    async def list_entries(
        market: Market,
        page: Annotated[PageRequest, Depends(keyed_by(str, int, str))],
        model_family: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    ) -> Page[GridEntryOut]:
        after = page.after
        key = (str(after[0]), int(str(after[1])), str(after[2])) if after else None
        found = await pricing.grid_entries(on.unit_of_work(), market, model_family, key, page.limit + 1)
        items, cursor = page_of(found, page, lambda e: (e.key.model_family, e.key.storage_gb, e.key.grade))
        return Page(items=[GridEntryOut.of(e) for e in items], next_cursor=cursor)

    @routes.get(
        "/price-grid/{market}/{model_family}/{storage_gb}/{grade}",
        summary="The entry a quote of this device is priced by",
        description="The entry set by hand if there is one (it always wins), else the one derived from the "
        "catalog's resale price by the market's (or the family's) rule; `source` says which. 404 when neither.",
    )
    async def get_entry(
        market: Market,
        model_family: Family,
        storage_gb: Annotated[int, Path(ge=0, le=65536)],
        grade: Grade,
    ) -> PricedEntryOut:
        key = GridKey(market, model_family, storage_gb, grade)
        return PricedEntryOut.of(await pricing.grid_entry(on.unit_of_work(), key))

    async def set_rule(market: str, model_family: str | None, body: DerivationRuleIn) -> DerivationRuleOut:
        command = catalog_commands.SetDerivationRule(
            market, model_family, body.margin_bps, body.monthly_decay_bps, body.floor.value()
        )
        return DerivationRuleOut.of(await pricing.set_derivation_rule(command, on.unit_of_work()))

    @routes.put(
        "/price-grid-rules/{market}",
        summary="Derive a market's grid from the catalog's resale prices",
        description=DERIVED,
    )
    async def put_market_rule(market: Market, body: DerivationRuleIn) -> DerivationRuleOut:
        return await set_rule(market, None, body)

    @routes.put(
        "/price-grid-rules/{market}/{model_family}",
        summary="Derive one model family's grid by its own rule",
        description=f"{DERIVED} This family's rule overrides the market's.",
    )
    async def put_family_rule(market: Market, model_family: Family, body: DerivationRuleIn) -> DerivationRuleOut:
        return await set_rule(market, model_family, body)

    @routes.delete("/price-grid-rules/{market}", status_code=204, summary="Stop deriving a market's grid")
    async def delete_market_rule(market: Market) -> None:
        await pricing.remove_derivation_rule(catalog_commands.RemoveDerivationRule(market, None), on.unit_of_work())

    @routes.delete(
        "/price-grid-rules/{market}/{model_family}",
        status_code=204,
        summary="Drop a family's own rule (the market's rule prices it again, if there is one)",
    )
    async def delete_family_rule(market: Market, model_family: Family) -> None:
        command = catalog_commands.RemoveDerivationRule(market, model_family)
        await pricing.remove_derivation_rule(command, on.unit_of_work())

    @routes.get("/price-grid-rules/{market}", summary="A market's rules deriving the grid from resale prices")
    async def list_rules(market: Market) -> list[DerivationRuleOut]:
        return [DerivationRuleOut.of(r) for r in await pricing.derivation_rules(on.unit_of_work(), market)]

    return routes
