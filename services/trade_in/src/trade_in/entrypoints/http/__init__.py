"""The trade-in's HTTP edge: a customer's quotes and answers with their own token, the staff's
counter, centre, payouts, grid and deny list behind scopes. A route parses the request, calls one
handler or query and answers; refusals go through the shared edge's error mapping."""

from __future__ import annotations

from fastapi import APIRouter

from trade_in.entrypoints.http import deny_list, pricing, quotes, trade_ins
from trade_in.entrypoints.http.edge import Edge


def routers(on: Edge) -> list[APIRouter]:
    return [quotes.router(on), trade_ins.router(on), pricing.router(on), deny_list.router(on)]
