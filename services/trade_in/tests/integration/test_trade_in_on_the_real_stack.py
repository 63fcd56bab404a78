"""Trade-ins on the real PostgreSQL and Kafka, through the service's own HTTP edge: the mailed-in
journey with a hold and a payout asked twice, a declined counter-offer, the one-open-trade-in rule
held by the database under a race, an expired quote, and the events on the topic keyed by trade-in;
and the voucher hold saga on the real topics: hold requests published as orders and store-sync
publish them, answered on the vouchers topic, and the sale that converts a hold."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from reloop_contracts import REGISTRY, Event
from reloop_contracts import trade_in as contract
from reloop_contracts.sales import SaleRecorded
from reloop_contracts.voucher_codes import voucher_code_hash
from reloop_localstack.testing import (
    api,
    customer_headers,
    luhn_imei,
    outbox_drained,
    publish,
    read_events,
    read_topic,
    running,
    service_settings,
    staff_headers,
    topic_name,
)
from reloop_shared.clock import FixedClock
from reloop_shared.messaging.codec import PoisonMessage, decode
from trade_in.bootstrap import build
from trade_in.config import TradeInSettings

pytestmark = pytest.mark.connected

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Stack:
    def __init__(self, app: Any, clock: FixedClock, database_url: str, bootstrap: str) -> None:
        self.app, self.clock, self.database_url, self.bootstrap = app, clock, database_url, bootstrap

    def as_customer(self, customer_id: str) -> httpx.AsyncClient:
        return api(self.app, headers=customer_headers(customer_id))

    def as_staff(self, *scopes: str) -> httpx.AsyncClient:
        return api(self.app, headers=staff_headers(*scopes))

    async def rows(self, sql: str, *args: object) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.database_url)
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


@pytest.fixture
async def stack(env: dict[str, str], new_database: Callable[[], Awaitable[str]]) -> AsyncIterator[Stack]:
    database_url = await new_database()
    clock = FixedClock(NOW)
    runtime, app = build(service_settings(TradeInSettings, env, database_url), clock=clock)
    async with running(runtime):
        trade_in = Stack(app, clock, database_url, env["KAFKA_BOOTSTRAP_SERVERS"])
        async with trade_in.as_staff("trade-in:pricing") as pricing:
            for grade, amount in (("excellent", 40000), ("good", 30000), ("fair", 20000)):
                body = {
                    "price": {"amount_minor": amount, "currency": "EUR"},
                    "floor": {"amount_minor": 5000, "currency": "EUR"},
                    "released_on": "2026-03-01",
                    "monthly_decay_bps": 200,
                }
                response = await pricing.put(f"/price-grid/FR/iphone-13/128/{grade}", json=body)
                assert response.status_code == 200, response.text
        yield trade_in


def _imei() -> str:
    return luhn_imei(random.randrange(10**12))


def _quote(imei: str | None) -> dict[str, Any]:
    return {
        "market": "FR",
        "model_family": "iphone-13",
        "storage_gb": 128,
        "category": "smartphone",
        "identifier": {"kind": "imei", "value": imei} if imei else None,
        "declared_grade": "excellent",
        "answers": {
            "screen": "flawless",
            "body": "flawless",
            "powers_on": True,
            "functional_checks_passed": True,
            "activation_lock_removed": True,
        },
    }


async def _received(stack: Stack, customer: str, imei: str) -> str:
    async with stack.as_customer(customer) as client:
        quoted = await client.post("/quotes", json=_quote(imei))
        assert quoted.status_code == 201, quoted.text
        trade_in_id: str = quoted.json()["trade_in_id"]
        accept = {"payout_method": "bank_transfer", "shipment_reference": "PARCEL-1"}
        assert (await client.post(f"/trade-ins/{trade_in_id}/accept", json=accept)).status_code == 200
    async with stack.as_staff("trade-in:inspect") as centre:
        receipt = {"location_id": "centre-lyon", "identifier": {"kind": "imei", "value": imei}}
        assert (await centre.post(f"/trade-ins/{trade_in_id}/receipt", json=receipt)).status_code == 200
    return trade_in_id


async def test_a_deny_listed_device_is_held_released_inspected_and_paid_once_by_transfer(stack: Stack) -> None:
    imei, customer = _imei(), f"cust-{uuid.uuid4().hex[:8]}"
    async with stack.as_customer(customer) as client:
        trade_in_id = (await client.post("/quotes", json=_quote(imei))).json()["trade_in_id"]
        accept = {"payout_method": "bank_transfer", "shipment_reference": "PARCEL-1"}
        assert (await client.post(f"/trade-ins/{trade_in_id}/accept", json=accept)).status_code == 200
    async with stack.as_staff("trade-in:pricing") as pricing:
        body = {"identifier": {"kind": "imei", "value": imei}, "reason": "blacklisted by the carrier"}
        assert (await pricing.post("/deny-list", json=body)).status_code == 201
    async with stack.as_staff("trade-in:inspect") as centre:
        receipt = {"location_id": "centre-lyon", "identifier": {"kind": "imei", "value": imei}}
        held = (await centre.post(f"/trade-ins/{trade_in_id}/receipt", json=receipt)).json()
        assert (held["status"], held["hold_reason"]) == ("on_hold", "deny_listed")
    async with stack.as_staff("trade-in:pricing") as pricing:
        assert (await pricing.delete(f"/deny-list/imei/{imei}")).status_code == 204
    async with stack.as_staff("trade-in:inspect") as centre:
        assert (await centre.post(f"/trade-ins/{trade_in_id}/release-hold")).json()["status"] == "received"
        inspected = await centre.post(f"/trade-ins/{trade_in_id}/inspection", json={"grade": "excellent"})
        assert inspected.json()["status"] == "inspected"
    async with stack.as_staff("trade-in:payout") as payouts:
        first, second = await asyncio.gather(
            payouts.post(f"/trade-ins/{trade_in_id}/payout"), payouts.post(f"/trade-ins/{trade_in_id}/payout")
        )
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["trade_in"]["payout_reference"] == second.json()["trade_in"]["payout_reference"]
    ledger = await stack.rows("SELECT amount_minor FROM payouts WHERE trade_in_id = $1", trade_in_id)
    assert [row["amount_minor"] for row in ledger] == [40000]
    history = await stack.rows(
        "SELECT to_status FROM trade_in_history WHERE trade_in_id = $1 ORDER BY seq", trade_in_id
    )
    assert [row["to_status"] for row in history] == [
        "quoted",
        "accepted",
        "in_transit",
        "received",
        "on_hold",
        "received",
        "inspected",
        "paid",
    ]


async def test_a_declined_counter_offer_returns_the_device_and_pays_nothing(stack: Stack) -> None:
    imei, customer = _imei(), f"cust-{uuid.uuid4().hex[:8]}"
    trade_in_id = await _received(stack, customer, imei)
    async with stack.as_staff("trade-in:inspect") as centre:
        worse = {"grade": "fair", "findings": ["cracked back glass"]}
        offered = (await centre.post(f"/trade-ins/{trade_in_id}/inspection", json=worse)).json()
    assert (offered["status"], offered["counter_offer"]["amount_minor"]) == ("counter_offered", 20000)
    async with stack.as_customer(customer) as client:
        answer = await client.post(f"/trade-ins/{trade_in_id}/counter-offer/answer", json={"accepted": False})
        assert answer.json()["status"] == "returning"
    async with stack.as_staff("trade-in:payout") as payouts:
        assert (await payouts.post(f"/trade-ins/{trade_in_id}/payout")).status_code == 409
    async with stack.as_staff("trade-in:inspect") as centre:
        back = (await centre.post(f"/trade-ins/{trade_in_id}/returned")).json()
    assert (back["status"], back["paid"]) == ("returned", None)
    assert await stack.rows("SELECT * FROM payouts WHERE trade_in_id = $1", trade_in_id) == []


async def test_two_quotes_racing_for_one_imei_keep_one_open_trade_in(stack: Stack) -> None:
    imei = _imei()
    async with stack.as_customer("cust-a") as a, stack.as_customer("cust-b") as b:
        answers = await asyncio.gather(*(client.post("/quotes", json=_quote(imei)) for client in (a, b, a, b)))
    assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
    assert {r.json()["field"] for r in answers if r.status_code == 409} == {"identifier"}
    rows = await stack.rows("SELECT status FROM trade_ins WHERE identifier_value = $1", imei)
    assert [row["status"] for row in rows] == ["quoted"]


async def test_an_expired_quote_is_refused_and_stays_as_it_was(stack: Stack) -> None:
    async with stack.as_customer("cust-late") as client:
        trade_in_id = (await client.post("/quotes", json=_quote(None))).json()["trade_in_id"]
        stack.clock.advance(timedelta(days=22))
        try:
            refused = await client.post(f"/trade-ins/{trade_in_id}/accept", json={"payout_method": "voucher"})
        finally:
            stack.clock.set(NOW)
    assert (refused.status_code, refused.json()["error"]) == (409, "QuoteExpired")
    [row] = await stack.rows("SELECT status FROM trade_ins WHERE trade_in_id = $1", trade_in_id)
    assert row["status"] == "quoted"


async def test_every_step_is_published_on_the_trade_ins_topic_keyed_by_the_trade_in(stack: Stack) -> None:
    trade_in_id = await _received(stack, f"cust-{uuid.uuid4().hex[:8]}", _imei())
    await outbox_drained(stack.database_url)
    records = await read_topic(stack.bootstrap, topic_name(contract.TRADE_INS), expect=1000, timeout=5)
    ours: list[tuple[bytes, str]] = []
    for record in records:
        try:
            event = decode(record.value, REGISTRY).event
        except PoisonMessage:
            continue
        if getattr(event, "trade_in_id", None) == trade_in_id:
            ours.append((record.key, type(event).__name__))
    assert [name for _, name in ours] == ["TradeInQuoted", "TradeInAccepted", "TradeInShipped", "DeviceReceived"]
    assert {key for key, _ in ours} == {trade_in_id.encode()}


async def _voucher(stack: Stack, amount: int) -> tuple[str, str]:
    """A voucher issued by hand: its id and its code (answered this once)."""
    async with stack.as_staff("trade-in:vouchers") as staff:
        body = {"market": "FR", "amount": {"amount_minor": amount, "currency": "EUR"}}
        issued = await staff.post("/vouchers", json=body)
    assert issued.status_code == 201, issued.text
    return issued.json()["voucher_id"], issued.json()["code"]


async def _ledger(stack: Stack, voucher_id: str) -> dict[str, Any]:
    async with stack.as_staff("trade-in:vouchers") as staff:
        answer = await staff.get(f"/vouchers/{voucher_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _hold_request(code: str, amount: int, hold_id: str) -> contract.VoucherHoldRequested:
    return contract.VoucherHoldRequested.model_validate(
        {
            "hold_id": hold_id,
            "code_hash": voucher_code_hash(code),
            "amount": {"amount_minor": amount, "currency": "EUR"},
            "market": "FR",
            "requested_by": "store-sync",
            "shop_id": "PAR-01",
            "reference": "TILL-TXN-1",
            "requested_at": NOW.isoformat(),
        }
    )


async def _answers(stack: Stack, hold_id: str, expect: int) -> list[Event]:
    def answers(event: Event) -> bool:
        return isinstance(event, contract.VoucherHeld | contract.VoucherHoldRefused) and event.hold_id == hold_id

    return await read_events(stack.bootstrap, contract.VOUCHERS, answers, expect=expect, timeout=30)


async def test_a_hold_request_on_the_real_topic_is_held_once_answered_alike_and_one_over_the_balance_refused(
    stack: Stack,
) -> None:
    voucher_id, code = await _voucher(stack, 10_000)
    hold_id, greedy_id = f"H-{uuid.uuid4().hex[:12]}", f"H-{uuid.uuid4().hex[:12]}"
    await publish(stack.bootstrap, [_hold_request(code, 4_000, hold_id)], producer="store-sync")
    [held] = await _answers(stack, hold_id, expect=1)
    assert isinstance(held, contract.VoucherHeld)
    assert (held.voucher_id, held.amount.amount_minor, held.requested_by) == (voucher_id, 4_000, "store-sync")
    assert held.held_until == NOW + timedelta(minutes=15)
    again, greedy = _hold_request(code, 4_000, hold_id), _hold_request(code, 7_000, greedy_id)
    await publish(stack.bootstrap, [again, greedy], producer="store-sync")
    answers = await _answers(stack, hold_id, expect=2)
    assert answers == [held, held]
    [refused] = await _answers(stack, greedy_id, expect=1)
    assert isinstance(refused, contract.VoucherHoldRefused)
    assert (refused.voucher_id, refused.reason, refused.requested_by) == (
        voucher_id,
        "insufficient_balance",
        "store-sync",
    )
    ledger = await _ledger(stack, voucher_id)
    assert [e["kind"] for e in ledger["ledger"] if e["hold_id"] == hold_id] == ["hold"]
    assert ledger["balance"]["amount_minor"] == 6_000


async def test_a_sale_naming_the_code_hash_and_the_hold_converts_it_and_the_balance_is_exact(stack: Stack) -> None:
    voucher_id, code = await _voucher(stack, 10_000)
    hold_id, sale_id = f"H-{uuid.uuid4().hex[:12]}", f"ORD-{uuid.uuid4().hex[:12]}"
    await publish(stack.bootstrap, [_hold_request(code, 2_599, hold_id)], producer="store-sync")
    [held] = await _answers(stack, hold_id, expect=1)
    assert isinstance(held, contract.VoucherHeld)
    price = {"amount_minor": 2_599, "currency": "EUR"}
    sale = SaleRecorded.model_validate(
        {
            "sale_id": sale_id,
            "channel": "online",
            "location_id": "WH-1",
            "market": "FR",
            "sold_at": NOW.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-1", "unit_price": price}],
            "payments": [
                {
                    "method": "voucher",
                    "amount": price,
                    "voucher_code_hash": voucher_code_hash(code),
                    "reference": hold_id,
                }
            ],
            "total": price,
        }
    )
    await publish(stack.bootstrap, [sale], producer="orders")

    def redeemed(event: Event) -> bool:
        return isinstance(event, contract.VoucherRedeemed) and event.sale_id == sale_id

    [redemption] = await read_events(stack.bootstrap, contract.VOUCHERS, redeemed, expect=1, timeout=30)
    assert isinstance(redemption, contract.VoucherRedeemed)
    assert (redemption.voucher_id, redemption.amount.amount_minor, redemption.hold_id) == (voucher_id, 2_599, hold_id)
    ledger = await _ledger(stack, voucher_id)
    assert ledger["balance"]["amount_minor"] == 10_000 - 2_599
    assert [e["kind"] for e in ledger["ledger"]] == ["issue", "hold", "release", "redeem"]
