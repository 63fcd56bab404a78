"""A connected till holds a voucher on the real stack, the test playing trade-in: the request is on
the hold-requests topic by the code's hash, trade-in's answer on the vouchers topic makes the
till's request 200 held or 409 refused, and a request nobody answers in time is 202 pending until
a later answer shows through `GET`. The sale then converts the hold, its return puts store credit
back onto the voucher by the code's hash, and no code is stored."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from reloop_contracts import Event, PositiveMoney, sales, trade_in
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import api, eventually, every_row, outbox_drained, publish, read_events, running
from services.store_sync.tests.support import CHARGER, accessory_sale, bearer, money, settings, shop, unique
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected

CODE = "TRD-7KQ2-M9WD-4HTZ-R8CE"
REFUSED_CODE = "TRD-AAAA-BBBB-CCCC-DDDD"
EUR_20 = PositiveMoney(amount_minor=2000, currency="EUR")


def _hold(hold_id: str, code: str, reference: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"hold_id": hold_id, "code": code, "amount": money(2000)}
    if reference is not None:
        body["reference"] = reference
    return body


async def _asked(env: dict[str, str], shop_id: str, reference: str) -> trade_in.VoucherHoldRequested:
    """The request as trade-in reads it from the hold-requests topic."""

    def ours(event: Event) -> bool:
        return isinstance(event, trade_in.VoucherHoldRequested) and (event.shop_id, event.reference) == (
            shop_id,
            reference,
        )

    [asked] = await read_events(env["KAFKA_BOOTSTRAP_SERVERS"], trade_in.HOLD_REQUESTS, ours, expect=1, timeout=30)
    assert isinstance(asked, trade_in.VoucherHoldRequested)
    return asked


def _return_of_t1(at: datetime, onto_the_voucher: int, to_the_card: int) -> dict[str, Any]:
    """The till's return of sale T-1, its refund paid back onto the voucher (typed another way)
    and to the card."""
    return {
        "client_txn_id": "R-1",
        "occurred_at": at.isoformat(),
        "sale_txn_id": "T-1",
        "lines": [{"line_id": "1", "kind": "accessory", "sku": CHARGER, "refund": money(4990)}],
        "refunds": [
            {"method": "voucher", "amount": money(onto_the_voucher), "voucher_code": CODE.lower(), "reference": "H-1"},
            {"method": "card", "amount": money(to_the_card)},
        ],
    }


def _held(request: trade_in.VoucherHoldRequested, voucher_id: str) -> trade_in.VoucherHeld:
    at = datetime.now(UTC)
    return trade_in.VoucherHeld(
        voucher_id=voucher_id,
        hold_id=request.hold_id,
        amount=request.amount,
        held_until=at + timedelta(minutes=15),
        requested_by="store-sync",
        at=at,
    )


async def test_a_till_gets_its_hold_held_or_refused_by_trade_in_and_the_sale_converts_the_hold(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    config = settings(env, database_url, await new_database()).model_copy(update={"voucher_hold_wait_s": 25.0})
    runtime, app = build(config)
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    shop_id = unique("PAR")
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)

        async def till(body: dict[str, Any]) -> httpx.Response:
            return await client.post(f"/shops/{shop_id}/voucher-holds", json=body, headers=bearer(key))

        holding = asyncio.create_task(till(_hold("H-1", CODE, reference="T-1")))
        asked = await _asked(env, shop_id, "T-1")
        await publish(bootstrap, [_held(asked, "V-1")], producer="trade-in")
        held = await holding

        refusing = asyncio.create_task(till(_hold("H-2", REFUSED_CODE, reference="T-2")))
        asked_again = await _asked(env, shop_id, "T-2")
        refusal = trade_in.VoucherHoldRefused(
            hold_id=asked_again.hold_id,
            voucher_id="V-2",
            reason="insufficient_balance",
            requested_by="store-sync",
            at=datetime.now(UTC),
        )
        await publish(bootstrap, [refusal], producer="trade-in")
        refused = await refusing
        retried = await till(_hold("H-1", CODE, reference="T-1"))

        sale = accessory_sale("T-1", datetime.now(UTC) - timedelta(minutes=1), price=4990)
        sale["payments"] = [
            {"method": "voucher", "amount": money(2000), "voucher_code": CODE, "reference": "H-1"},
            {"method": "card", "amount": money(2990)},
        ]
        sold = await client.post(f"/shops/{shop_id}/sales", json=sale, headers=bearer(key))
        returned = _return_of_t1(datetime.now(UTC), onto_the_voucher=2000, to_the_card=2990)
        not_adding_up = await client.post(
            f"/shops/{shop_id}/returns", json=_return_of_t1(datetime.now(UTC), 2000, 2000), headers=bearer(key)
        )
        refunded = await client.post(f"/shops/{shop_id}/returns", json=returned, headers=bearer(key))
        await outbox_drained(database_url)
        stored = await every_row(database_url)

    assert held.status_code == 200, held.text
    assert held.json()["status"] == "held"
    assert held.json()["held_until"] is not None
    assert held.json()["amount"] == money(2000)
    assert (asked.code_hash, asked.market, asked.requested_by) == (voucher_code_hash(CODE), "FR", "store-sync")
    assert asked.amount == EUR_20
    assert refused.status_code == 409, refused.text
    assert (refused.json()["status"], refused.json()["reason"]) == ("refused", "insufficient_balance")
    assert refused.json()["field"] == "amount"
    assert (retried.status_code, retried.json()["status"]) == (200, "held"), "a retry is answered from the row"
    assert sold.status_code == 201, sold.text
    assert not_adding_up.status_code == 422, not_adding_up.text
    assert not_adding_up.json()["field"] == "transactions.0.refunds"
    assert refunded.status_code == 201, "the refused return left nothing behind: its id is still free"
    recorded, back = await read_events(
        bootstrap, sales.TRANSACTIONS, lambda e: getattr(e, "location_id", None) == shop_id, expect=2
    )
    assert isinstance(recorded, sales.SaleRecorded)
    voucher = recorded.payments[0]
    assert (voucher.voucher_code_hash, voucher.voucher_code) == (voucher_code_hash(CODE), None)
    assert voucher.reference == asked.hold_id, "the sale converts the hold trade-in granted"
    assert isinstance(back, sales.ReturnRecorded)
    assert back.sale_id == recorded.sale_id
    credit, card = back.refunds
    assert (credit.method, credit.amount.amount_minor) == ("voucher", 2000)
    assert (credit.voucher_code_hash, credit.voucher_code) == (voucher_code_hash(CODE), None)
    assert credit.reference == asked.hold_id, "store credit goes back onto the voucher the hold was taken on"
    assert (card.method, card.amount.amount_minor, card.voucher_code_hash) == ("card", 2990, None)
    assert voucher_code_hash(CODE) in stored, "the voucher is known by its hash"
    for typed in (CODE, CODE.lower(), CODE.replace("-", ""), REFUSED_CODE, REFUSED_CODE.replace("-", "")):
        assert typed not in stored, "no voucher code is stored, in any table or the outbox"


async def test_a_hold_not_answered_in_time_is_pending_and_a_later_answer_shows_through_get(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    config = settings(env, database_url, await new_database()).model_copy(update={"voucher_hold_wait_s": 0.3})
    runtime, app = build(config)
    shop_id, other_shop = unique("PAR"), unique("LYO")
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        other_key = await shop(client, other_shop)
        waited = await client.post(
            f"/shops/{shop_id}/voucher-holds", json=_hold("H-1", CODE, reference="T-9"), headers=bearer(key)
        )
        asked = await _asked(env, shop_id, "T-9")
        await publish(env["KAFKA_BOOTSTRAP_SERVERS"], [_held(asked, "V-9")], producer="trade-in")

        async def held() -> bool:
            answer = await client.get(f"/shops/{shop_id}/voucher-holds/H-1", headers=bearer(key))
            return bool(answer.json()["status"] == "held")

        await eventually(held, message="the later answer is on the hold")
        not_its_own = await client.get(f"/shops/{other_shop}/voucher-holds/H-1", headers=bearer(other_key))
        another_shops_path = await client.get(f"/shops/{shop_id}/voucher-holds/H-1", headers=bearer(other_key))
    assert waited.status_code == 202, waited.text
    assert waited.json()["status"] == "pending"
    assert not_its_own.status_code == 404
    assert another_shops_path.status_code == 403
