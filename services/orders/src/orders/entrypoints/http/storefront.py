"""The storefront's view of one SKU in one market."""

from __future__ import annotations

from fastapi import APIRouter

from orders.entrypoints.http.dependencies import HttpDependencies
from orders.entrypoints.http.schemas import MarketCode, StorefrontSkuOut, storefront_sku
from orders.service_layer import views
from reloop_shared.http.authentication import public


def router(on: HttpDependencies) -> APIRouter:
    # Price and availability are shown to anyone browsing, signed in or not.
    router = APIRouter(tags=["storefront"], dependencies=[public()])

    @router.get("/storefront/{market}/skus/{sku}", summary="Price and availability of a SKU")
    async def get_storefront_sku(market: MarketCode, sku: str) -> StorefrontSkuOut:
        return storefront_sku(await views.storefront_sku(sku, market, on.reads, on.clock))

    return router
