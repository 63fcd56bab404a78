"""The trade-in promise end to end on a real broker and real databases: a device quoted online and
dropped at a shop, graded worse at the centre, a counter-offer accepted, paid in store credit; the
voucher then spent partly on the storefront and partly at the shop's till, each behind a hold
trade-in granted over the bus. The balance is exact and CRM's timeline tells every step."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from reloop_localstack.testing import customer_headers, eventually, luhn_imei, staff_headers
from tests.e2e.system import (
    System,
    buy_online,
    list_device,
    location,
    ok,
    register_shop,
    sell_in_shop,
    stock_unit,
    system,
    timeline_showing,
)

pytestmark = pytest.mark.connected

FAMILY = "iphone-12"


def eur(amount_minor: int) -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": "EUR"}


async def _grid(s: System) -> None:
    """The business prices an iPhone 12 128 GB: 300 EUR as excellent, 180 EUR as fair, released today
    so that age takes nothing off."""
    pricing = staff_headers("trade-in:pricing")
    for grade, amount in (("excellent", 30000), ("fair", 18000)):
        released = date.today().isoformat()
        entry = {"price": eur(amount), "floor": eur(5000), "released_on": released, "monthly_decay_bps": 0}
        await ok(s.trade_in.put(f"/price-grid/FR/{FAMILY}/128/{grade}", json=entry, headers=pricing))


async def _quoted_and_accepted(s: System, customer: str, imei: str) -> str:
    signed_in = customer_headers(customer)
    quote = {
        "market": "FR",
        "model_family": FAMILY,
        "storage_gb": 128,
        "category": "smartphone",
        "identifier": {"kind": "imei", "value": imei},
        "declared_grade": "excellent",
        "answers": {
            "screen": "flawless",
            "body": "flawless",
            "powers_on": True,
            "functional_checks_passed": True,
            "activation_lock_removed": True,
        },
    }
    quoted = await ok(s.trade_in.post("/quotes", json=quote, headers=signed_in))
    assert quoted["offered"] == eur(30000)
    trade_in_id = str(quoted["trade_in_id"])
    await ok(s.trade_in.post(f"/trade-ins/{trade_in_id}/accept", json={"payout_method": "voucher"}, headers=signed_in))
    return trade_in_id


async def _dropped_at_the_shop(s: System, shop: str, till_key: str, trade_in_id: str, imei: str) -> None:
    """The customer brings the phone to a shop instead of mailing it: the shop collects it for the
    centre and pays nothing."""
    collected = {
        "client_txn_id": f"T-{uuid.uuid4().hex[:10]}",
        "occurred_at": datetime.now(UTC).isoformat(),
        "device": {"identifier_kind": "imei", "identifier": imei},
        "payout": eur(0),
        "payout_method": "store_credit",
        "trade_in_id": trade_in_id,
    }
    headers = {"Authorization": f"Bearer {till_key}"}
    await ok(s.store_sync.post(f"/shops/{shop}/trade-ins", json=collected, headers=headers))

    async def on_its_way() -> bool:
        answer = await s.trade_in.get(f"/trade-ins/{trade_in_id}", headers=staff_headers("trade-in:read"))
        return answer.status_code == 200 and answer.json()["status"] == "in_transit"

    await eventually(on_its_way, timeout=60, message="trade-in learnt that the shop collected the device")


async def _graded_worse_and_paid(s: System, customer: str, trade_in_id: str, imei: str) -> dict[str, Any]:
    centre = staff_headers("trade-in:inspect")
    receipt = {"location_id": "centre-lyon", "identifier": {"kind": "imei", "value": imei}}
    received = await ok(s.trade_in.post(f"/trade-ins/{trade_in_id}/receipt", json=receipt, headers=centre))
    assert received["status"] == "received"
    worse = {"grade": "fair", "findings": ["deep scratch across the screen", "dent on the frame"]}
    offered = await ok(s.trade_in.post(f"/trade-ins/{trade_in_id}/inspection", json=worse, headers=centre))
    assert (offered["status"], offered["counter_offer"]) == ("counter_offered", eur(18000))
    answer = {"accepted": True}
    path = f"/trade-ins/{trade_in_id}/counter-offer/answer"
    answered = await ok(s.trade_in.post(path, json=answer, headers=customer_headers(customer)))
    assert answered["status"] == "inspected"
    paid = await ok(s.trade_in.post(f"/trade-ins/{trade_in_id}/payout", headers=staff_headers("trade-in:payout")))
    voucher: dict[str, Any] = paid["voucher"]
    assert voucher["amount"] == eur(19800), "the counter-offer plus the market's +10% in store credit"
    return voucher


async def _held_at_the_till(s: System, shop: str, till_key: str, code: str, amount: int) -> str:
    hold_id = f"H-{uuid.uuid4().hex[:12]}"
    body = {"hold_id": hold_id, "code": code, "amount": eur(amount)}
    answer = await s.store_sync.post(
        f"/shops/{shop}/voucher-holds", json=body, headers={"Authorization": f"Bearer {till_key}"}
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["status"], answer.json()["amount"]) == ("held", eur(amount))
    return hold_id


async def test_a_voucher_from_a_counter_offer_is_spent_online_and_in_a_shop_to_the_exact_cent(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    customer = f"acct-{uuid.uuid4().hex[:10]}"
    imei = luhn_imei(uuid.uuid4().int % 10**12)
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    async with system(env, new_database) as s:
        warehouse = await location(s, f"wh-{sku}", "warehouse")
        shop = f"shop-{sku.lower()}"
        till_key = await register_shop(s, shop)
        await list_device(s, sku, 15000)
        online_unit = await stock_unit(s, sku, warehouse)
        shop_unit = await stock_unit(s, sku, shop)
        await _grid(s)

        trade_in_id = await _quoted_and_accepted(s, customer, imei)
        await _dropped_at_the_shop(s, shop, till_key, trade_in_id, imei)
        voucher = await _graded_worse_and_paid(s, customer, trade_in_id, imei)
        code = voucher["code"]

        # Online: 120.00 of the voucher and 30.00 by card, behind a hold orders asked trade-in for.
        order = await buy_online(s, sku, customer, vouchers=[{"code": code, "amount": eur(12000)}])
        assert order["lines"][0]["unit_id"] == online_unit
        assert [(v["amount"], v["status"]) for v in order["vouchers"]] == [(eur(12000), "held")]
        assert code not in str(order), "the order shows the voucher's hint, never its code"

        # In the shop: a hold for 50.00 at the till, then the sale that converts it.
        hold_id = await _held_at_the_till(s, shop, till_key, code, 5000)
        paid_by = [
            {"method": "voucher", "amount": eur(5000), "voucher_code": code, "reference": hold_id},
            {"method": "card", "amount": eur(10000)},
        ]
        await sell_in_shop(s, shop, till_key, sku, shop_unit, 15000, payments=paid_by)

        ledger: dict[str, Any] = {}

        async def both_redeemed() -> bool:
            # A hold takes its amount off the balance at once: the redemptions are in the ledger.
            path = f"/vouchers/{voucher['voucher_id']}"
            ledger.update(await ok(s.trade_in.get(path, headers=staff_headers("trade-in:vouchers"))))
            return [e["kind"] for e in ledger["ledger"]].count("redeem") == 2

        await eventually(both_redeemed, timeout=60, message="trade-in redeemed the online and the shop payments")
        balance = await ok(s.trade_in.get(f"/vouchers/{code}/balance", headers=customer_headers(customer)))
        timeline = await timeline_showing(
            s,
            customer,
            {
                "trade_in_quoted": 1,
                "trade_in_accepted": 1,
                "trade_in_shipped": 1,
                "trade_in_received": 1,
                "trade_in_inspected": 1,
                "counter_offer_made": 1,
                "counter_offer_answered": 1,
                "trade_in_paid": 1,
                "voucher_issued": 1,
                "voucher_redeemed": 2,
                "purchase": 1,
            },
        )

    # The ledger: issued, then two holds, each converted (released to the sale that redeems it);
    # its sum is the balance.
    entries = [(e["kind"], e["amount"]["amount_minor"]) for e in ledger["ledger"]]
    assert entries[0] == ("issue", 19800)
    assert sorted(entries[1:]) == sorted(
        [("hold", 12000), ("release", 12000), ("redeem", 12000), ("hold", 5000), ("release", 5000), ("redeem", 5000)]
    )
    assert {e["reason"] for e in ledger["ledger"] if e["kind"] == "release"} == {"converted"}
    assert ledger["balance"] == balance["balance"] == eur(19800 - 12000 - 5000)
    [handed_over] = [e for e in timeline if e["kind"] == "trade_in_shipped"]
    assert handed_over["location_id"] == shop, "the hand-over is a step at the shop"
    redeemed = [e for e in timeline if e["kind"] == "voucher_redeemed"]
    assert sorted(e["channel"] for e in redeemed) == ["online", "own_shop"]
    assert code not in str(timeline), "CRM never sees a voucher's code"


async def test_goods_paid_with_a_voucher_returned_at_the_till_put_its_share_back_on_the_voucher(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    customer = f"acct-{uuid.uuid4().hex[:10]}"
    sku = f"IPH13-128-MID-EX-{uuid.uuid4().hex[:6].upper()}"
    async with system(env, new_database) as s:
        shop = f"shop-{sku.lower()}"
        till_key = await register_shop(s, shop)
        till = {"Authorization": f"Bearer {till_key}"}
        await list_device(s, sku, 15000)
        shop_unit = await stock_unit(s, sku, shop)
        goodwill = {"market": "FR", "amount": eur(10000), "customer_id": customer}
        voucher = await ok(s.trade_in.post("/vouchers", json=goodwill, headers=staff_headers("trade-in:vouchers")))
        code, path = voucher["code"], f"/vouchers/{voucher['voucher_id']}"

        hold_id = await _held_at_the_till(s, shop, till_key, code, 6000)
        paid_by = [
            {"method": "voucher", "amount": eur(6000), "voucher_code": code, "reference": hold_id},
            {"method": "card", "amount": eur(9000)},
        ]
        sold = await sell_in_shop(s, shop, till_key, sku, shop_unit, 15000, payments=paid_by)
        ledger: dict[str, Any] = {}

        async def has(kind: str) -> bool:
            ledger.update(await ok(s.trade_in.get(path, headers=staff_headers("trade-in:vouchers"))))
            return kind in [e["kind"] for e in ledger["ledger"]]

        await eventually(lambda: has("redeem"), timeout=60, message="trade-in redeemed the shop sale")
        assert ledger["balance"] == eur(4000)

        # The customer brings the phone back: the voucher's share goes back onto it, the rest to the card.
        back = {
            "client_txn_id": f"R-{uuid.uuid4().hex[:10]}",
            "occurred_at": datetime.now(UTC).isoformat(),
            "sale_txn_id": sold["client_txn_id"],
            "lines": [
                {"line_id": "1", "kind": "refurbished_device", "sku": sku, "unit_id": shop_unit, "refund": eur(15000)}
            ],
            "refunds": [
                {"method": "voucher", "amount": eur(6000), "voucher_code": code, "reference": hold_id},
                {"method": "card", "amount": eur(9000)},
            ],
        }
        await ok(s.store_sync.post(f"/shops/{shop}/returns", json=back, headers=till))
        await eventually(lambda: has("refund"), timeout=60, message="trade-in put the refund back on the voucher")
        kinds = {"voucher_issued": 1, "voucher_redeemed": 1, "voucher_refunded": 1}
        timeline = await timeline_showing(s, customer, kinds)

    [refund] = [e for e in ledger["ledger"] if e["kind"] == "refund"]
    assert (refund["amount"], refund["sale_id"]) == (eur(6000), sold["canonical_id"])
    assert ledger["balance"] == eur(10000), "the voucher is whole again"
    [told] = [e for e in timeline if e["kind"] == "voucher_refunded"]
    assert (told["location_id"], told["sale_id"]) == (shop, sold["canonical_id"])
