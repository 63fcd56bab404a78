"""The feed a shop polls: catalog, prices and availability changed since its cursor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from store_sync.entrypoints.http.edge import Edge
from store_sync.entrypoints.http.field_paths import PlainFieldRoute
from store_sync.entrypoints.http.registry_schemas import FeedOut, feed_out
from store_sync.service_layer import projections


def feed_routes(edge: Edge) -> APIRouter:
    router = APIRouter(route_class=PlainFieldRoute, tags=["feed"])

    @router.get(
        "/shops/{shop_id}/feed",
        dependencies=[edge.guards.shop_or_admin],
        response_model=FeedOut,
        summary="Catalog, prices and availability for the shop, changed since a cursor (or ETag)",
        responses={304: {"description": "Nothing changed since the ETag sent in If-None-Match"}},
    )
    async def feed(
        shop_id: str,
        response: Response,
        cursor: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="The feed's sequence number")] = None,
        limit: Annotated[int | None, Query(ge=1, le=5000)] = None,
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> FeedOut | Response:
        since = cursor if cursor is not None else _etag_cursor(if_none_match)
        page_size = limit or edge.settings.feed_page_size
        page = await projections.feed_page(shop_id, since, page_size, edge.unit_of_work(), edge.clock)
        etag = f'"{page.next_cursor}"'
        if not page.items and if_none_match is not None:
            return Response(status_code=304, headers={"ETag": etag})
        response.headers["ETag"] = etag
        return feed_out(page)

    return router


def _etag_cursor(if_none_match: str | None) -> int:
    value = (if_none_match or "").strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else 0
