"""An offline till uploads its backlog late, in batches, out of order and with duplicates: each
transaction becomes exactly one event, with the time it really happened; a return sent before its
sale waits for it with how it was refunded."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from reloop_contracts import sales
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import api, every_row, outbox_drained, running
from services.store_sync.tests.support import (
    a_day,
    accessory_sale,
    all_events,
    bearer,
    settings,
    shop,
    unique,
    yesterday_at,
)
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected


async def test_a_day_of_offline_sales_replayed_twice_and_shuffled_produces_exactly_one_event_per_transaction(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("PAR")
    day = [accessory_sale(f"T-{n:04d}", at.replace(tzinfo=None)) for n, at in enumerate(a_day(yesterday_at(8), 240))]
    uploads = day + day
    random.Random(11).shuffle(uploads)
    batches = [uploads[i : i + 50] for i in range(0, len(uploads), 50)]
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        answers = [
            await client.post(f"/shops/{shop_id}/transactions", json={"transactions": b}, headers=bearer(key))
            for b in batches
        ]
        await outbox_drained(database_url)
    assert all(a.status_code == 200 for a in answers), answers[0].text
    assert sum(a.json()["recorded"] for a in answers) == 240
    assert sum(a.json()["duplicates"] for a in answers) == 240
    found = await all_events(
        env, sales.TRANSACTIONS, lambda e: isinstance(e, sales.SaleRecorded) and e.location_id == shop_id, expect=240
    )
    assert len(found) == 240, "one SaleRecorded per transaction, not one per upload"
    by_txn = {e.pos_transaction_id: e for e in found if isinstance(e, sales.SaleRecorded)}
    assert len(by_txn) == 240
    assert len({e.sale_id for e in by_txn.values()}) == 240
    first = by_txn["T-0000"]
    assert first.channel == "own_shop"
    # Sent without an offset, the till's time is Paris time; the event keeps when it really happened.
    paris_eight = yesterday_at(8).replace(tzinfo=ZoneInfo("Europe/Paris"))
    assert first.sold_at == paris_eight.astimezone(UTC)


async def test_a_return_uploaded_before_its_sale_waits_and_is_published_after_it(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("PAR")
    sold_at = yesterday_at(10)
    code = "TRD-7KQ2-M9WD-4HTZ-R8CE"
    # Paid partly with a voucher taken offline (no hold), refunded the same way.
    tenders = [
        {"method": "voucher", "amount": {"amount_minor": 1000, "currency": "EUR"}, "voucher_code": code},
        {"method": "card", "amount": {"amount_minor": 990, "currency": "EUR"}},
    ]
    sold = accessory_sale("S-1", sold_at, payments=tenders)
    returned = {
        "type": "return",
        "client_txn_id": "R-1",
        "occurred_at": yesterday_at(15).isoformat(),
        "sale_txn_id": "S-1",
        "lines": [
            {
                "line_id": "1",
                "kind": "accessory",
                "sku": "CHG-USB-C-20W",
                "refund": {"amount_minor": 1990, "currency": "EUR"},
            }
        ],
        "refunds": tenders,
    }
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        early = await client.post(
            f"/shops/{shop_id}/transactions", json={"transactions": [returned]}, headers=bearer(key)
        )
        while_waiting = await every_row(database_url)
        late = await client.post(f"/shops/{shop_id}/transactions", json={"transactions": [sold]}, headers=bearer(key))
        again = await client.post(f"/shops/{shop_id}/returns", json=returned, headers=bearer(key))
        await outbox_drained(database_url)
    assert early.json()["outcomes"][0]["result"] == "waiting_for_sale"
    assert late.json()["recorded"] == 1
    assert again.status_code == 200
    assert again.json()["result"] == "duplicate"
    found = await all_events(
        env,
        sales.TRANSACTIONS,
        lambda e: isinstance(e, sales.SaleRecorded | sales.ReturnRecorded) and e.location_id == shop_id,
        expect=2,
    )
    assert [type(e).__name__ for e in found] == ["SaleRecorded", "ReturnRecorded"]
    sale, ret = found
    assert isinstance(sale, sales.SaleRecorded)
    assert isinstance(ret, sales.ReturnRecorded)
    assert ret.sale_id == sale.sale_id
    assert [(r.method, r.amount.amount_minor, r.voucher_code_hash) for r in ret.refunds] == [
        ("voucher", 1000, voucher_code_hash(code)),
        ("card", 990, None),
    ], "the refunds waited with the return"
    assert voucher_code_hash(code) in while_waiting
    assert code not in while_waiting
    assert code.replace("-", "") not in while_waiting
