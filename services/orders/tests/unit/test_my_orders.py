"""A customer lists their own orders on the twin, newest first, a page at a time: only theirs, each
with its status, market and total, and another customer's never among them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from reloop_localstack.testing import customer_headers
from reloop_shared.http.pagination import encode_cursor
from services.orders.tests.fakes import OrdersTwin
from services.orders.tests.given import CUSTOMER, checked_out, placed

STRANGER = "cust-2"


async def _all_pages(client: httpx.AsyncClient, customer_id: str, limit: int) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": limit}
    pages = 0
    while True:
        response = await client.get("/orders", params=params, headers=customer_headers(customer_id))
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        pages += 1
        if response.json()["next_cursor"] is None:
            return items, pages
        params = {"limit": limit, "cursor": response.json()["next_cursor"]}


async def test_a_customer_pages_through_their_own_orders_newest_first() -> None:
    twin = OrdersTwin()
    mine = []
    for _ in range(3):
        mine.append((await checked_out(twin)).order_id)
        twin.clock.advance(timedelta(minutes=5))
    async with twin.client() as client:
        listed, pages = await _all_pages(client, CUSTOMER, limit=2)
    assert [o["order_id"] for o in listed] == list(reversed(mine))
    assert pages == 2


async def test_another_customers_orders_never_appear_in_the_list() -> None:
    twin = OrdersTwin()
    mine = (await checked_out(twin)).order_id
    twin.clock.advance(timedelta(minutes=1))
    theirs = (await checked_out(twin, customer_id=STRANGER)).order_id
    async with twin.client() as client:
        seen_by_me, _ = await _all_pages(client, CUSTOMER, limit=1)
        seen_by_them, _ = await _all_pages(client, STRANGER, limit=1)
        nobody, _ = await _all_pages(client, "cust-without-orders", limit=1)
    assert [o["order_id"] for o in seen_by_me] == [mine]
    assert [o["order_id"] for o in seen_by_them] == [theirs]
    assert nobody == []


async def test_each_order_in_the_list_shows_its_status_market_placing_and_total() -> None:
    twin = OrdersTwin()
    order = await placed(twin)
    async with twin.client() as client:
        [summary], _ = await _all_pages(client, CUSTOMER, limit=10)
        full = (await client.get(f"/orders/{order.order_id}", headers=customer_headers(CUSTOMER))).json()
    assert (summary["status"], summary["market"]) == (full["status"], "FR")
    assert summary["total"] == full["total"]
    assert summary["placed_at"] == full["timestamps"]["placed_at"] is not None


async def test_the_list_needs_a_customers_token_and_refuses_a_cursor_it_never_gave_out() -> None:
    twin = OrdersTwin()
    async with twin.client() as client:
        anonymous = await client.get("/orders")
        forged = await client.get(
            "/orders", params={"cursor": encode_cursor(("cust-1",))}, headers=customer_headers(CUSTOMER)
        )
    assert (anonymous.status_code, anonymous.json()["field"]) == (401, "Authorization")
    assert (forged.status_code, forged.json()["field"]) == (422, "cursor")
