"""Public reads: search SKUs, one SKU, one product model, what each grade means. Declared public:
browsing the storefront needs no account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from catalog.domain.grades import GRADE_DEFINITIONS
from catalog.entrypoints.http.schemas import ProductOut, SkuOut, SkuPageOut, sku_search
from catalog.service_layer.views import CatalogViews, SkuQuery
from reloop_shared.http.authentication import public


def public_catalog(views: CatalogViews) -> APIRouter:
    router = APIRouter(tags=["public"], dependencies=[public()])

    @router.get("/skus", summary="Search SKUs by model, category, grade and price")
    async def search_skus(query: Annotated[SkuQuery, Depends(sku_search)]) -> SkuPageOut:
        return SkuPageOut.of(await views.search(query), query)

    @router.get("/skus/{sku}")
    async def get_sku(sku: str) -> SkuOut:
        return SkuOut.of(await views.sku(sku))

    @router.get("/products/{product_id}")
    async def get_product(product_id: str) -> ProductOut:
        return ProductOut.of(await views.product(product_id))

    @router.get("/grades", summary="What each cosmetic grade means")
    async def grades() -> dict[str, str]:
        return GRADE_DEFINITIONS

    return router
