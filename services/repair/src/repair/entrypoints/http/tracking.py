"""The public tracking lookup: anyone holding a ticket's code sees its status, and nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from reloop_shared.http.authentication import public
from repair.entrypoints.http.edge import Edge
from repair.entrypoints.http.schemas import TrackingOut
from repair.service_layer.tracking import track

Code = Annotated[str, Path(min_length=1, max_length=64, description="The tracking code, dashes and case as typed.")]


def router(on: Edge) -> APIRouter:
    routes = APIRouter(tags=["tracking"])

    @routes.get("/track/{code}", summary="A repair's status by its tracking code", dependencies=[public()])
    async def tracked(code: Code) -> TrackingOut:
        return TrackingOut.of(await track(on.unit_of_work(), code))

    return routes
