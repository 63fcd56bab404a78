"""Partner operators: who runs partner shops, their till format and their default policy."""

from __future__ import annotations

from fastapi import APIRouter

from store_sync.domain import commands
from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.registry_schemas import OperatorIn, OperatorOut, PolicyIn
from store_sync.service_layer import registry


def operator_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["registry"], dependencies=[edge.guards.admin])

    @router.post("/operators", status_code=201, summary="A partner operator and its default policy")
    async def add_operator(body: OperatorIn) -> OperatorOut:
        policy = body.policy.domain() if body.policy else None
        command = commands.RegisterOperator(body.operator_id, body.name, body.pos_format, policy)
        operator = await registry.register_operator(command, edge.unit_of_work(), edge.clock)
        return OperatorOut(
            operator_id=operator.operator_id,
            name=operator.name,
            pos_format=operator.pos_format,
            policy=PolicyIn(data_owner=operator.policy.data_owner, crm_sharing=operator.policy.crm_sharing),
        )

    @router.put(
        "/operators/{operator_id}/customer-data-policy",
        summary="The operator's default customer-data policy; shops without their own follow it",
    )
    async def set_operator_policy(operator_id: str, body: PolicyIn) -> dict[str, list[str]]:
        command = commands.SetOperatorPolicy(operator_id, body.domain())
        return {"shops_changed": await registry.set_operator_policy(command, edge.unit_of_work(), edge.clock)}

    return router
