"""The shop registry: shops, their customer-data policies and their API keys."""

from __future__ import annotations

from fastapi import APIRouter

from store_sync.domain import commands
from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.registry_schemas import (
    ApiKeyOut,
    RegisteredShopOut,
    ShopIn,
    ShopOut,
    ShopPolicyIn,
    shop_out,
)
from store_sync.service_layer import registry


def shop_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["registry"])
    admin = [edge.guards.admin]

    @router.get(
        "/shops/{shop_id}",
        dependencies=[edge.guards.shop_or_admin],
        summary="The shop as the registry knows it (market, time zone, policy)",
    )
    async def get_shop(shop_id: str) -> ShopOut:
        return shop_out(await registry.shop(shop_id, edge.unit_of_work()))

    @router.post("/shops", dependencies=admin, status_code=201, summary="Register a shop; its first API key, once")
    async def add_shop(body: ShopIn) -> RegisteredShopOut:
        command = commands.RegisterShop(
            body.shop_id,
            body.name,
            body.kind,
            body.market,
            body.timezone,
            body.operator_id,
            body.policy.domain() if body.policy else None,
            body.tax_rate_bp,
            body.postal_code,
            body.opens_on,
        )
        shop, key = await registry.register_shop(command, edge.unit_of_work(), edge.clock)
        return RegisteredShopOut(
            **shop_out(shop).model_dump(), api_key=ApiKeyOut(key_id=key.key_id, api_key=key.api_key)
        )

    @router.put("/shops/{shop_id}/customer-data-policy", dependencies=admin, summary="The shop's own policy, or null")
    async def set_shop_policy(shop_id: str, body: ShopPolicyIn) -> ShopOut:
        command = commands.SetShopPolicy(shop_id, body.policy.domain() if body.policy else None)
        return shop_out(await registry.set_shop_policy(command, edge.unit_of_work(), edge.clock))

    @router.post("/shops/{shop_id}/api-keys", dependencies=admin, status_code=201, summary="Another key (rotation)")
    async def add_key(shop_id: str) -> ApiKeyOut:
        key = await registry.issue_key(shop_id, edge.unit_of_work())
        return ApiKeyOut(key_id=key.key_id, api_key=key.api_key)

    @router.delete("/shops/{shop_id}/api-keys/{key_id}", dependencies=admin, status_code=204, summary="Revoke a key")
    async def revoke_key(shop_id: str, key_id: str) -> None:
        await registry.revoke_key(shop_id, key_id, edge.unit_of_work())
        edge.authenticator().forget(key_id)  # this process stops trusting it at once, not after its cache time

    return router
