"""The repair edge: a customer's parcels, quote answers and subscriptions with their own token, the
workshop, parts and shop subscriptions behind staff scopes, and the public tracking lookup. A
route parses the request, calls one handler or query and answers; refusals go through the shared
edge's error mapping."""

from __future__ import annotations

from fastapi import APIRouter

from repair.entrypoints.http import parts, subscriptions, tickets, tracking
from repair.entrypoints.http.edge import Edge


def routers(on: Edge) -> list[APIRouter]:
    return [tickets.router(on), parts.router(on), tracking.router(on), subscriptions.router(on)]
