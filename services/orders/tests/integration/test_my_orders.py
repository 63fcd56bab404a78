"""A customer's own orders on PostgreSQL: newest first, a page at a time, each order once, with the
total its order shows; another customer's orders never among them. (On the twin:
`tests/unit/test_my_orders.py`.)"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from orders.bootstrap import build
from reloop_localstack.testing import running
from services.orders.tests.support import (
    ACCESSORY,
    TOPICS,
    cart_with,
    check_out,
    list_and_price,
    settings,
    shopper,
    unique,
)

pytestmark = pytest.mark.connected


async def _all_pages(client: httpx.AsyncClient, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": limit}
    pages = 0
    while True:
        response = await client.get("/orders", params=params)
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        pages += 1
        if response.json()["next_cursor"] is None:
            return items, pages
        params = {"limit": limit, "cursor": response.json()["next_cursor"]}


async def test_a_customer_pages_through_their_own_orders_newest_first_and_sees_no_one_elses(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    charger = unique("CHG")
    async with running(runtime), shopper(app) as me, shopper(app) as stranger:
        await list_and_price(env, me, charger, ACCESSORY, 1990)
        mine = [await check_out(me, (await cart_with(me, (charger, ACCESSORY, n + 1)))["cart_id"]) for n in range(3)]
        theirs = await check_out(stranger, (await cart_with(stranger, (charger, ACCESSORY, 1)))["cart_id"])
        listed, pages = await _all_pages(me, limit=2)
        seen_by_stranger, _ = await _all_pages(stranger, limit=2)
        first = (await me.get(f"/orders/{mine[0]}")).json()

    assert [o["order_id"] for o in listed] == list(reversed(mine))
    assert pages == 2
    assert [o["order_id"] for o in seen_by_stranger] == [theirs]
    oldest = listed[-1]
    assert (oldest["total"], oldest["status"], oldest["market"]) == (first["total"], first["status"], "FR")
    assert oldest["total"] == {"amount_minor": 1990, "currency": "EUR"}
