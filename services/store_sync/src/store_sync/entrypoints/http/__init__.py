"""Store-sync's one HTTP edge: a router per resource, each route parsing, calling one handler and
answering. Refusals are not caught here: the shared edge answers each kind of domain error."""

from __future__ import annotations

from fastapi import APIRouter

from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.feeds import feed_routes
from store_sync.entrypoints.http.operators import operator_routes
from store_sync.entrypoints.http.partner import partner_routes
from store_sync.entrypoints.http.shipments import shipment_routes
from store_sync.entrypoints.http.shops import shop_routes
from store_sync.entrypoints.http.transactions import transaction_routes
from store_sync.entrypoints.http.voucher_holds import voucher_hold_routes

__all__ = ["Edge", "routers"]


def routers(edge: Edge) -> list[APIRouter]:
    return [
        transaction_routes(edge),
        voucher_hold_routes(edge),
        partner_routes(edge),
        feed_routes(edge),
        shop_routes(edge),
        operator_routes(edge),
        shipment_routes(edge),
    ]
