"""Malformed uploads get a 422 naming the failing field, and nothing of them is applied."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from reloop_contracts import sales
from reloop_localstack.testing import api, outbox_drained, running
from services.store_sync.tests.support import accessory_sale, all_events, bearer, settings, shop, unique
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected

NOW = datetime.now(UTC) - timedelta(hours=1)


def _bad(case: str) -> dict[str, Any]:
    sale = accessory_sale("T-2", NOW)
    if case == "negative price":
        sale["lines"][0]["unit_price"]["amount_minor"] = -1990
    elif case == "total":
        sale["total"]["amount_minor"] = 1
        sale["payments"] = []
    elif case == "currency":
        sale["total"]["currency"] = "USD"
    elif case == "float amount":
        sale["total"]["amount_minor"] = 19.9
    elif case == "unknown type":
        sale["type"] = "refund"
    elif case == "unknown field":
        sale["coupon"] = "FREE"
    elif case == "device without unit":
        sale["lines"][0]["kind"] = "refurbished_device"
    elif case == "future":
        sale["occurred_at"] = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    return sale


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("negative price", "transactions.1.lines.0.unit_price.amount_minor"),
        ("float amount", "transactions.1.total.amount_minor"),
        ("unknown type", "transactions.1.type"),
        ("unknown field", "transactions.1.coupon"),
        ("total", "transactions.1.total"),
        ("currency", "transactions.1.total.currency"),
        ("device without unit", "transactions.1.lines.0.unit_id"),
        ("future", "transactions.1.occurred_at"),
    ],
)
async def test_malformed_payloads_get_422_with_the_failing_field_and_nothing_is_half_applied(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]], case: str, field: str
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("PAR")
    good_before, good_after = accessory_sale("T-1", NOW), accessory_sale("T-3", NOW)
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        body = {"transactions": [good_before, _bad(case), good_after]}
        refused = await client.post(f"/shops/{shop_id}/transactions", json=body, headers=bearer(key))
        alone = await client.post(
            f"/shops/{shop_id}/transactions", json={"transactions": [good_before]}, headers=bearer(key)
        )
        await outbox_drained(database_url)
    assert refused.status_code == 422, refused.text
    assert refused.json()["fields"][0]["field"] == field, refused.json()
    assert alone.json()["outcomes"][0]["result"] == "recorded", (
        "the good transaction of the refused upload was not kept"
    )
    found = await all_events(
        env, sales.TRANSACTIONS, lambda e: isinstance(e, sales.SaleRecorded) and e.location_id == shop_id, expect=1
    )
    assert [e.pos_transaction_id for e in found if isinstance(e, sales.SaleRecorded)] == ["T-1"]
