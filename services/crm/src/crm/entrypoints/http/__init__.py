"""CRM's HTTP API (customer service, privacy office, analysts): one router per resource.

Routes parse the request, call one handler and answer; refusals are domain errors, answered by
the shared edge (`reloop_shared.http.errors`) by their kind.
"""

from __future__ import annotations

from fastapi import APIRouter

from crm.entrypoints.http import analytics, audit_trail, me, merges, privacy, profiles
from crm.entrypoints.http.edge import Edge


def routers(edge: Edge) -> list[APIRouter]:
    return [
        profiles.router(edge),
        merges.router(edge),
        privacy.router(edge),
        me.router(edge),
        audit_trail.router(edge),
        analytics.router(edge),
    ]
