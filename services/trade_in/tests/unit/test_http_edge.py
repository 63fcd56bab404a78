"""The trade-in edge on its twin: who may call what, customers seeing only their own trade-ins,
and a mailed-in trade-in driven through HTTP from quote to payout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from reloop_localstack.testing import customer_headers, luhn_imei, staff_headers
from reloop_shared.http.authentication import guards
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.bootstrap import build
from trade_in.config import TradeInSettings

CUSTOMER = "customer"
READ, PRICING, INSPECT, PAYOUT = (f"scopes:trade-in:{s}" for s in ("read", "pricing", "inspect", "payout"))
IMEI = luhn_imei(777)
GRID = {
    "price": {"amount_minor": 40000, "currency": "EUR"},
    "floor": {"amount_minor": 5000, "currency": "EUR"},
    "released_on": "2026-03-01",
    "monthly_decay_bps": 200,
}
QUOTE = {
    "market": "FR",
    "model_family": "iphone-13",
    "storage_gb": 128,
    "category": "smartphone",
    "identifier": {"kind": "imei", "value": IMEI},
    "declared_grade": "excellent",
    "answers": {
        "screen": "flawless",
        "body": "light_scratches",
        "battery_health_pct": 93,
        "powers_on": True,
        "functional_checks_passed": True,
        "activation_lock_removed": True,
    },
}


def test_every_route_says_who_may_call_it() -> None:
    _, app = build(TradeInSettings())
    found = {route: kind for route, kind in guards(app).items() if "/vouchers" not in route}
    assert found == {
        "GET /healthz": "public",
        "GET /readyz": "public",
        "GET /metrics": "public",
        "GET /docs": "public",
        "GET /redoc": "public",
        "GET /docs/assets/{name}": "public",
        "POST /quotes": CUSTOMER,
        "GET /quotes/{trade_in_id}": CUSTOMER,
        "GET /me/trade-ins": CUSTOMER,
        "POST /trade-ins/{trade_in_id}/accept": CUSTOMER,
        "POST /trade-ins/{trade_in_id}/shipment": CUSTOMER,
        "POST /trade-ins/{trade_in_id}/cancel": CUSTOMER,
        "POST /trade-ins/{trade_in_id}/counter-offer/answer": CUSTOMER,
        "POST /shop-quotes": INSPECT,
        "POST /shop-quotes/{trade_in_id}/accept": INSPECT,
        "POST /trade-ins/{trade_in_id}/receipt": INSPECT,
        "POST /trade-ins/{trade_in_id}/release-hold": INSPECT,
        "POST /trade-ins/{trade_in_id}/inspection": INSPECT,
        "POST /trade-ins/{trade_in_id}/returned": INSPECT,
        "POST /trade-ins/{trade_in_id}/ready-for-sale": INSPECT,
        "POST /trade-ins/{trade_in_id}/payout": PAYOUT,
        "GET /trade-ins": READ,
        "GET /trade-ins/{trade_in_id}": READ,
        "GET /shops/{shop_id}/grading-accuracy": READ,
        "PUT /price-grid/{market}/{model_family}/{storage_gb}/{grade}": PRICING,
        "GET /price-grid/{market}": PRICING,
        "GET /price-grid/{market}/{model_family}/{storage_gb}/{grade}": PRICING,
        "GET /price-grid-rules/{market}": PRICING,
        "PUT /price-grid-rules/{market}": PRICING,
        "PUT /price-grid-rules/{market}/{model_family}": PRICING,
        "DELETE /price-grid-rules/{market}": PRICING,
        "DELETE /price-grid-rules/{market}/{model_family}": PRICING,
        "POST /deny-list": PRICING,
        "DELETE /deny-list/{kind}/{value}": PRICING,
        "GET /deny-list": PRICING,
    }


async def _priced(twin: TradeInTwin) -> None:
    async with twin.client(staff_headers("trade-in:pricing")) as pricing:
        for grade, amount in (("excellent", 40000), ("good", 30000)):
            body = GRID | {"price": {"amount_minor": amount, "currency": "EUR"}}
            response = await pricing.put(f"/price-grid/FR/iphone-13/128/{grade}", json=body)
            assert response.status_code == 200, response.text


async def _quote(twin: TradeInTwin, customer: str, body: dict[str, Any] = QUOTE) -> dict[str, Any]:
    async with twin.client(customer_headers(customer)) as client:
        response = await client.post("/quotes", json=body)
    assert response.status_code == 201, response.text
    quote: dict[str, Any] = response.json()
    return quote


async def test_a_customer_quotes_for_themself_and_another_customer_is_told_it_does_not_exist() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    quote = await _quote(twin, "cust-ada")
    assert (quote["customer_id"], quote["offered"]["amount_minor"], quote["status"]) == ("cust-ada", 40000, "quoted")
    async with twin.client(customer_headers("cust-bob")) as bob:
        assert (await bob.get(f"/quotes/{quote['trade_in_id']}")).status_code == 404
        refused = await bob.post(f"/trade-ins/{quote['trade_in_id']}/cancel")
        assert refused.status_code == 404
        assert (await bob.get("/me/trade-ins")).json()["items"] == []
    async with twin.client(customer_headers("cust-ada")) as ada:
        mine = (await ada.get("/me/trade-ins")).json()["items"]
    assert [t["trade_in_id"] for t in mine] == [quote["trade_in_id"]]


async def test_a_customer_id_in_a_quotes_body_is_refused_the_token_says_who() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    async with twin.client(customer_headers("cust-ada")) as client:
        response = await client.post("/quotes", json=QUOTE | {"customer_id": "cust-bob"})
    assert response.status_code == 422


async def test_an_imei_failing_its_check_digit_is_a_422_naming_the_identifier() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    wrong = IMEI[:-1] + str((int(IMEI[-1]) + 1) % 10)
    async with twin.client(customer_headers("cust-ada")) as client:
        response = await client.post("/quotes", json=QUOTE | {"identifier": {"kind": "imei", "value": wrong}})
    assert (response.status_code, response.json()["field"]) == (422, "identifier")


async def test_a_second_open_quote_for_the_same_imei_is_a_409() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    await _quote(twin, "cust-ada")
    async with twin.client(customer_headers("cust-bob")) as client:
        response = await client.post("/quotes", json=QUOTE)
    assert (response.status_code, response.json()["field"]) == (409, "identifier")


async def test_a_mailed_in_trade_in_goes_from_quote_to_payout_over_http_with_its_history() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    trade_in_id = (await _quote(twin, "cust-ada"))["trade_in_id"]
    async with twin.client(customer_headers("cust-ada")) as ada:
        accept = {"payout_method": "bank_transfer", "shipment_reference": "PARCEL-77"}
        assert (await ada.post(f"/trade-ins/{trade_in_id}/accept", json=accept)).json()["status"] == "in_transit"
    async with twin.client(staff_headers("trade-in:inspect")) as centre:
        receipt = {"location_id": "centre-lyon", "identifier": {"kind": "imei", "value": IMEI}}
        assert (await centre.post(f"/trade-ins/{trade_in_id}/receipt", json=receipt)).json()["status"] == "received"
        inspection = {"grade": "excellent", "findings": []}
        done = await centre.post(f"/trade-ins/{trade_in_id}/inspection", json=inspection)
        assert done.json()["status"] == "inspected"
        refused = await centre.post(f"/trade-ins/{trade_in_id}/payout")
        assert (refused.status_code, refused.json()["field"]) == (403, "scope")
    async with twin.client(staff_headers("trade-in:payout")) as payouts:
        paid = (await payouts.post(f"/trade-ins/{trade_in_id}/payout")).json()
    assert (paid["trade_in"]["status"], paid["trade_in"]["paid"]["amount_minor"], paid["voucher"]) == (
        "paid",
        40000,
        None,
    )
    async with twin.client(staff_headers("trade-in:read")) as reads:
        seen = (await reads.get(f"/trade-ins/{trade_in_id}")).json()
        listed = (await reads.get("/trade-ins", params={"status": "paid"})).json()["items"]
    assert [h["to_status"] for h in seen["history"]] == [
        "quoted",
        "accepted",
        "in_transit",
        "received",
        "inspected",
        "paid",
    ]
    assert [t["trade_in_id"] for t in listed] == [trade_in_id]


async def test_an_invalid_transition_is_a_409_naming_the_current_state() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    trade_in_id = (await _quote(twin, "cust-ada"))["trade_in_id"]
    async with twin.client(staff_headers("trade-in:inspect")) as centre:
        response = await centre.post(f"/trade-ins/{trade_in_id}/inspection", json={"grade": "good", "findings": ["x"]})
    assert response.status_code == 409
    assert "quoted" in response.json()["message"]


async def test_staff_pages_through_trade_ins_newest_first() -> None:
    twin = TradeInTwin()
    await _priced(twin)
    ids = []
    for n in range(3):
        ids.append((await _quote(twin, f"cust-{n}", QUOTE | {"identifier": None}))["trade_in_id"])
        twin.clock.advance(timedelta(minutes=1))
    async with twin.client(staff_headers("trade-in:read")) as reads:
        first = (await reads.get("/trade-ins", params={"limit": 2})).json()
        second = (await reads.get("/trade-ins", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [t["trade_in_id"] for t in first["items"] + second["items"]] == ids[::-1]
    assert second["next_cursor"] is None


async def test_the_deny_list_is_managed_by_pricing_staff() -> None:
    twin = TradeInTwin()
    async with twin.client(staff_headers("trade-in:pricing")) as pricing:
        added = await pricing.post(
            "/deny-list", json={"identifier": {"kind": "imei", "value": IMEI}, "reason": "stolen"}
        )
        assert added.status_code == 201
        assert [e["identifier"]["value"] for e in (await pricing.get("/deny-list")).json()["items"]] == [IMEI]
        assert (await pricing.delete(f"/deny-list/imei/{IMEI}")).status_code == 204
        assert (await pricing.delete(f"/deny-list/imei/{IMEI}")).status_code == 404


async def test_a_shops_grading_accuracy_is_null_before_any_check() -> None:
    twin = TradeInTwin()
    async with twin.client(staff_headers("trade-in:read")) as reads:
        figure = (await reads.get("/shops/SHOP-1/grading-accuracy")).json()
    assert figure == {"shop_id": "SHOP-1", "checked": 0, "accurate": 0, "rate": None}
