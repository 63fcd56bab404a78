"""Public reads: search SKUs, one SKU, one product model, what each grade means. Declared public:
browsing the storefront needs no account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from catalog.domain.grades import GRADE_DEFINITIONS
from catalog.entrypoints.http.schemas import ProductOut, SkuOut, sku_search
from catalog.service_layer.views import CatalogViews, SkuQuery, sku_key
from reloop_shared.http.authentication import public
from reloop_shared.http.pagination import Page, PageRequest, keyed_by, page_of


def public_catalog(views: CatalogViews) -> APIRouter:
    router = APIRouter(tags=["public"], dependencies=[public()])

    @router.get("/skus", summary="Search SKUs by model, category, grade and price, by brand, model and SKU")
    async def search_skus(
        query: Annotated[SkuQuery, Depends(sku_search)], page: Annotated[PageRequest, Depends(keyed_by(str, str, str))]
    ) -> Page[SkuOut]:
        items, cursor = page_of(await views.search(query, page.after, page.limit + 1), page, sku_key)
        return Page(items=[SkuOut.of(view) for view in items], next_cursor=cursor)

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
