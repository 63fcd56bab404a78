"""The repair promise end to end on a real broker and real databases: a customer's plan covers a
phone reloop never sold; left at a shop, it is repaired at no charge and waits there for pickup;
CRM's timeline tells the plan and every step of the repair."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from reloop_localstack.testing import customer_headers, eventually, luhn_imei, staff_headers
from tests.e2e.system import System, ok, register_shop, system, timeline_showing

pytestmark = pytest.mark.connected


def eur(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "EUR"}


async def _ticket_of_drop_off(s: System, shop: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = []

    async def opened() -> bool:
        page = await ok(s.repair.get("/tickets", params={"limit": 500}, headers=staff_headers("repair:read")))
        found[:] = [t for t in page["items"] if t["shop_id"] == shop]
        return bool(found)

    await eventually(opened, timeout=60, message="repair opened a ticket for the shop's drop-off")
    return found[0]


async def test_a_phone_not_bought_from_us_left_at_a_shop_is_repaired_free_under_the_plan_and_waits_there(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    customer = f"acct-{uuid.uuid4().hex[:10]}"
    imei = luhn_imei(uuid.uuid4().int % 10**12)
    shop = f"shop-repair-{uuid.uuid4().hex[:6]}"
    workshop = staff_headers("repair:workshop")
    async with system(env, new_database) as s:
        till_key = await register_shop(s, shop)
        phone = {"identifier": {"kind": "imei", "value": imei}, "category": "smartphone", "model": "pixel-7"}
        plan = await ok(
            s.repair.post(
                "/subscriptions", json={"market": "FR", "devices": [phone]}, headers=customer_headers(customer)
            )
        )
        assert plan["status"] == "active"

        left = {
            "client_txn_id": f"T-{uuid.uuid4().hex[:10]}",
            "occurred_at": datetime.now(UTC).isoformat(),
            "device": {"identifier_kind": "imei", "identifier": imei},
            "issue": "cracked screen, touch dead in the lower half",
            "customer": {"customer_id": customer},
        }
        await ok(
            s.store_sync.post(f"/shops/{shop}/repairs", json=left, headers={"Authorization": f"Bearer {till_key}"})
        )
        ticket = await _ticket_of_drop_off(s, shop)
        assert (ticket["coverage"], ticket["subscription_id"]) == ("plan", plan["subscription_id"])
        assert ticket["bought_from_us"] is False

        path = f"/tickets/{ticket['ticket_id']}"
        diagnosis = {"findings": ["screen and digitiser cracked"], "estimate": eur(14900)}
        assert (await ok(s.repair.post(f"{path}/diagnosis", json=diagnosis, headers=workshop)))["quote"] is None
        for step in ("start-repair", "repaired", "quality-passed", "send-back"):
            done = await ok(s.repair.post(f"{path}/{step}", json={}, headers=workshop))
        assert (done["status"], done["shop_id"]) == ("ready_for_pickup", shop)
        picked_up = await ok(s.repair.post(f"{path}/hand-back", json={}, headers=workshop))

        steps = ("subscription_started", "ticket_opened", "diagnosed", "progressed", "completed", "returned")
        timeline = await timeline_showing(s, customer, {f"repair_{step}": 1 for step in steps})

    [completed] = [_detail(e) for e in timeline if e["kind"] == "repair_completed"]
    assert (completed["coverage"], completed["charged"]) == ("plan", eur(0)), "repaired at no charge"
    [opened] = [e for e in timeline if e["kind"] == "repair_ticket_opened"]
    assert opened["location_id"] == shop, "the repair began at the shop"
    [back] = [e for e in timeline if e["kind"] == "repair_returned"]
    assert (back["location_id"], _detail(back)["how"], picked_up["status"]) == (shop, "picked_up", "closed")
    assert imei not in str(timeline), "CRM keeps no device identifier"


def _detail(entry: dict[str, Any]) -> dict[str, Any]:
    detail = entry["detail"]
    parsed: dict[str, Any] = json.loads(detail) if isinstance(detail, str) else detail
    return parsed
