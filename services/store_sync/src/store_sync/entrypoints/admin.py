"""The back office: the shop registry and its policies, API keys, partner mappings and their
quarantine, and the refurbishment centre's receipt of shipments. Every route needs the admin key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from reloop_shared.db.types import Pool
from reloop_shared.http.errors import ApiError
from store_sync.adapters.credentials import Authenticator
from store_sync.adapters.partner_data import PartnerData
from store_sync.adapters.quarantine import QuarantineRepository
from store_sync.adapters.registry import OperatorRepository
from store_sync.domain import commands
from store_sync.domain.policy import CustomerDataPolicy
from store_sync.entrypoints.auth import Guards
from store_sync.entrypoints.errors import answer
from store_sync.entrypoints.registry_schemas import (
    ApiKeyOut,
    MappingReplayOut,
    OperatorIn,
    OperatorOut,
    PolicyIn,
    QuarantinedOut,
    ReceiptIn,
    RegisteredShopOut,
    ReplayIn,
    ShipmentOut,
    ShopIn,
    ShopOut,
    ShopPolicyIn,
    SkuMappingIn,
    SkuMappingOut,
    TicketOutcomeOut,
    quarantined_out,
    shipment_out,
    shop_out,
)
from store_sync.service_layer import partner, registry, shipments
from store_sync.service_layer.clock import Clock
from store_sync.service_layer.ingestion import Sealer
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


def admin_routes(
    pool: Callable[[], Pool],
    uow: Callable[[], StoreSyncUnitOfWork],
    sealer: Sealer,
    guards: Guards,
    authenticator: Callable[[], Authenticator],
    now: Clock,
) -> APIRouter:
    router = APIRouter(dependencies=[Depends(guards.admin)])

    @router.post("/operators", status_code=201, tags=["registry"], summary="A partner operator and its default policy")
    async def add_operator(body: OperatorIn) -> OperatorOut:
        policy = await answer(_policy(body.policy))
        command = commands.RegisterOperator(body.operator_id, body.name, body.pos_format, policy)
        operator = await answer(registry.register_operator(command, uow(), now))
        out = PolicyIn(data_owner=operator.policy.data_owner, crm_sharing=operator.policy.crm_sharing)
        return OperatorOut(
            operator_id=operator.operator_id, name=operator.name, pos_format=operator.pos_format, policy=out
        )

    @router.put(
        "/operators/{operator_id}/customer-data-policy",
        tags=["registry"],
        summary="The operator's default customer-data policy; shops without their own follow it",
    )
    async def set_operator_policy(operator_id: str, body: PolicyIn) -> dict[str, list[str]]:
        policy = await answer(_policy(body))
        assert policy is not None
        changed = await answer(
            registry.set_operator_policy(commands.SetOperatorPolicy(operator_id, policy), uow(), now)
        )
        return {"shops_changed": changed}

    @router.post(
        "/shops", status_code=201, tags=["registry"], summary="Register a shop; its first API key is returned once"
    )
    async def add_shop(body: ShopIn) -> RegisteredShopOut:
        policy = await answer(_policy(body.policy))
        command = commands.RegisterShop(
            body.shop_id,
            body.name,
            body.kind,
            body.market,
            body.timezone,
            body.operator_id,
            policy,
            body.tax_rate_bp,
            body.postal_code,
            body.opens_on,
        )
        shop, key = await answer(registry.register_shop(command, uow(), now))
        return RegisteredShopOut(
            **shop_out(shop).model_dump(), api_key=ApiKeyOut(key_id=key.key_id, api_key=key.api_key)
        )

    @router.put("/shops/{shop_id}/customer-data-policy", tags=["registry"], summary="The shop's own policy, or null")
    async def set_shop_policy(shop_id: str, body: ShopPolicyIn) -> ShopOut:
        policy = await answer(_policy(body.policy))
        return shop_out(await answer(registry.set_shop_policy(commands.SetShopPolicy(shop_id, policy), uow(), now)))

    @router.post("/shops/{shop_id}/api-keys", status_code=201, tags=["registry"], summary="Another key (rotation)")
    async def add_key(shop_id: str) -> ApiKeyOut:
        key = await answer(registry.issue_key(shop_id, uow()))
        return ApiKeyOut(key_id=key.key_id, api_key=key.api_key)

    @router.delete("/shops/{shop_id}/api-keys/{key_id}", status_code=204, tags=["registry"], summary="Revoke a key")
    async def revoke_key(shop_id: str, key_id: str) -> None:
        await answer(registry.revoke_key(shop_id, key_id, uow()))
        authenticator().forget(key_id)

    @router.get("/operators/{operator_id}/sku-mappings", tags=["partner"], summary="The operator's article codes")
    async def mappings(operator_id: str) -> list[SkuMappingOut]:
        async with pool().acquire() as conn:
            if await OperatorRepository(conn).get(operator_id) is None:
                raise ApiError(404, "NotFound", f"no operator {operator_id}", field="operator_id")
            found = await PartnerData(conn).all_skus(operator_id)
        return [SkuMappingOut(**m.__dict__) for m in found]

    @router.put(
        "/operators/{operator_id}/sku-mappings/{partner_sku}",
        tags=["partner"],
        summary="Map an article code to a reloop SKU; the operator's quarantine is replayed at once",
    )
    async def map_sku(operator_id: str, partner_sku: str, body: SkuMappingIn) -> MappingReplayOut:
        command = commands.MapPartnerSku(operator_id, partner_sku, body.sku, body.kind)
        replayed = await answer(partner.map_sku(command, uow(), sealer, now))
        return MappingReplayOut(
            mapping=SkuMappingOut(partner_sku=partner_sku, sku=body.sku, kind=body.kind),
            replayed=[TicketOutcomeOut.model_validate(o.__dict__) for o in replayed],
        )

    @router.get("/quarantine", tags=["partner"], summary="Quarantined partner tickets, newest first")
    async def quarantine(
        operator_id: str | None = None,
        shop_id: str | None = None,
        status: Literal["open", "replayed"] | None = "open",
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[QuarantinedOut]:
        async with pool().acquire() as conn:
            items = await QuarantineRepository(conn).listing(
                operator_id=operator_id, shop_id=shop_id, status=status, limit=limit
            )
        return [quarantined_out(i) for i in items]

    @router.post("/quarantine/{quarantine_id}/replay", tags=["partner"], summary="Replay a ticket, maybe corrected")
    async def replay(quarantine_id: int, body: ReplayIn | None = None) -> TicketOutcomeOut:
        command = commands.ReplayQuarantined(quarantine_id, body.ticket if body else None)
        outcome = await answer(partner.replay(command, uow(), sealer, now))
        return TicketOutcomeOut.model_validate(outcome.__dict__)

    @router.post("/shipments/{shipment_id}/receipt", tags=["collection"], summary="The parcel arrived")
    async def receive(shipment_id: str, body: ReceiptIn | None = None) -> ShipmentOut:
        units = tuple(body.unit_ids) if body and body.unit_ids is not None else None
        return shipment_out(await answer(shipments.receive(commands.ReceiveShipment(shipment_id, units), uow(), now)))

    return router


async def _policy(body: PolicyIn | None) -> CustomerDataPolicy | None:
    return body.domain() if body is not None else None
