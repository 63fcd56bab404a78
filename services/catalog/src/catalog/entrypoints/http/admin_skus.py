"""Admin: list a SKU, price it per market, discontinue it. A change answers with the SKU as the
public reads show it. Staff holding `catalog:write` only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter

from catalog.domain import commands
from catalog.entrypoints.http.schemas import DiscontinueIn, MarketCode, PriceIn, SkuIn, SkuOut
from catalog.service_layer import handlers
from catalog.service_layer.unit_of_work import CatalogUnitOfWork
from catalog.service_layer.views import CatalogViews
from reloop_contracts.amounts import Money
from reloop_shared.clock import Clock
from reloop_shared.http.authentication import requires


def admin_skus(unit_of_work: Callable[[], CatalogUnitOfWork], views: CatalogViews, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/admin/skus", tags=["admin"], dependencies=[requires("catalog:write")])

    @router.post("", status_code=201)
    async def list_sku(body: SkuIn) -> dict[str, str]:
        await handlers.list_sku(commands.ListSku(**body.model_dump()), unit_of_work(), clock)
        return {"sku": body.sku}

    @router.put("/{sku}/prices/{market}")
    async def price_sku(sku: str, market: MarketCode, body: PriceIn) -> SkuOut:
        price = Money(body.amount_minor, body.currency)
        await handlers.price_sku(commands.PriceSku(sku, market, price, body.effective_at), unit_of_work(), clock)
        return SkuOut.of(await views.sku(sku))

    @router.post("/{sku}/discontinue")
    async def discontinue_sku(sku: str, body: DiscontinueIn) -> SkuOut:
        await handlers.discontinue_sku(commands.DiscontinueSku(sku, body.reason), unit_of_work(), clock)
        return SkuOut.of(await views.sku(sku))

    return router
