"""The buy-back grid, managed by the business."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from reloop_contracts.money import Market
from reloop_shared.http.authentication import requires
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of
from trade_in.domain import commands
from trade_in.domain.grades import Grade
from trade_in.entrypoints.http.edge import Edge
from trade_in.entrypoints.http.schemas import GridEntryIn, GridEntryOut
from trade_in.entrypoints.http.scopes import PRICING
from trade_in.service_layer import pricing


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["price grid"], dependencies=[requires(PRICING)])

    @routes.put(
        "/price-grid/{market}/{model_family}/{storage_gb}/{grade}",
        summary="Set what reloop pays for a model, storage and grade in a market",
    )
    async def put_entry(
        market: Market,
        model_family: Annotated[str, Path(min_length=1, max_length=64)],
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

    @routes.get("/price-grid/{market}", summary="A market's grid, by model, storage and grade")
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

    return routes
