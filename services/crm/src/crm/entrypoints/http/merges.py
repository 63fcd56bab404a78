"""Merges: an operator merges two profiles of one person, reads the audit trail, undoes a merge.
Every route needs `crm:merge`: the audit trail is the merge operators' own record."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from crm.domain import commands
from crm.entrypoints.http import scopes
from crm.entrypoints.http.edge import Edge
from crm.entrypoints.http.schemas import MergeIn, UndoIn
from crm.service_layer import merging
from reloop_shared.http.authentication import requires


def router(edge: Edge) -> APIRouter:
    routes = APIRouter(tags=["profiles"], dependencies=[requires(scopes.MERGE)])

    @routes.post("/merges", status_code=201, summary="Merge two profiles of one person")
    async def merge(body: MergeIn) -> dict[str, Any]:
        command = commands.MergeProfiles(body.profile_id, body.other_profile_id, body.reason, body.requested_by)
        record = await merging.merge_profiles(command, edge.unit_of_work(), edge.vault, edge.clock)
        return {"merge_id": record.merge_id, "profile_id": str(record.profile_id)}

    @routes.get("/merges/{merge_id}", summary="A merge and its audit trail")
    async def get_merge(merge_id: str) -> dict[str, Any]:
        record = await merging.merge_audit(merge_id, edge.unit_of_work())
        return {
            **dataclasses.asdict(record),
            "profile_id": str(record.profile_id),
            "merged_profile_id": str(record.merged_profile_id),
        }

    @routes.post("/merges/{merge_id}/undo", summary="Un-merge: restore both profiles")
    async def undo(merge_id: str, body: UndoIn) -> dict[str, Any]:
        command = commands.UndoMerge(merge_id, body.reason, body.requested_by)
        record, restored = await merging.undo_merge(command, edge.unit_of_work(), edge.vault, edge.clock)
        return {"merge_id": record.merge_id, "unmerge_id": record.unmerge_id, "profile_ids": [str(p) for p in restored]}

    return routes
