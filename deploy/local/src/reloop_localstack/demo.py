"""The demo scenario `make up` runs against the live services: the same model sold online and in
a shop, through the same SaleRecorded, inventory showing one truth to both channels, CRM holding
one profile with both purchases, and a trade-in paid in store credit that the customer spends in
the shop."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from reloop_localstack.demo_repair import repair_under_the_plan_and_dunning
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import luhn_imei
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import issue_token

SKU = "IPH13-128-MID-EX"
CHARGER = "ACC-CHG-20W"
SHOP = "shop-paris-rivoli"


DEMO_STAFF_SCOPES = (
    "catalog:write",
    "inventory:write",
    "inventory:read",
    "inventory:count",
    "crm:read",
    "crm:read-personal",
    "store-sync:admin",
    "trade-in:pricing",
    "trade-in:inspect",
    "trade-in:payout",
    "repair:read",
    "repair:workshop",
    "repair:subscriptions",
)


class Demo:
    def __init__(self, urls: dict[str, str], endpoints: Endpoints, keys: LocalKeySet) -> None:
        self.urls = urls
        self.endpoints = endpoints
        self.staff_token = issue_token(keys, subject="demo-staff", audience=STAFF, scopes=DEMO_STAFF_SCOPES)
        self.run = uuid.uuid4().hex[:4]
        self.customer_id = f"acct-demo-{self.run}"
        self.customer_token = issue_token(keys, subject=self.customer_id, audience=STOREFRONT)
        self.signed_in = {"Authorization": f"Bearer {self.customer_token}"}
        self.http = httpx.Client(timeout=10)
        self.till_key = ""
        self.email = f"ada.{self.run}@example.org"

    def call(
        self,
        service: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        url = f"{self.urls[service]}{path}"
        # The back office acts with its staff token unless the call says who it is (a till, a customer).
        headers = headers or {"Authorization": f"Bearer {self.staff_token}"}
        response = self.http.request(method, url, json=body, headers=headers, params=params)
        if response.status_code >= 300:
            raise RuntimeError(f"{service} {method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None  # 204: nothing to say

    def wait(self, what: str, check: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.2)
        raise TimeoutError(f"timed out waiting until {what}")

    def say(self, text: str) -> None:
        print(f"  {text}", flush=True)


def run_demo(urls: dict[str, str], endpoints: Endpoints, keys: LocalKeySet) -> None:
    print("\ndemo: one model, sold online and in a shop, to one customer", flush=True)
    demo = Demo(urls, endpoints, keys)
    print(f"  a staff token for the back office ({', '.join(DEMO_STAFF_SCOPES)}), valid one hour:")
    print(f"    {demo.staff_token}")
    print(f"  the demo customer {demo.customer_id}'s storefront token, valid one hour:")
    print(f"    {demo.customer_token}", flush=True)
    try:
        _catalog_and_stock(demo)
        order = _online_sale(demo)
        _shop_sale(demo, order)
        _one_profile(demo)
        _trade_in_spent_in_a_shop(demo)
        repair_under_the_plan_and_dunning(demo, SHOP)
    except Exception as error:  # the stack stays up for a look around, whatever happened here
        print(f"  demo stopped: {error}", flush=True)


def _catalog_and_stock(demo: Demo) -> None:
    demo.call(
        "inventory",
        "POST",
        "/locations",
        {"location_id": "wh-paris", "kind": "warehouse", "market": "FR", "name": "Paris"},
    )
    shop = demo.http.get(
        f"{demo.urls['store-sync']}/shops/{SHOP}", headers={"Authorization": f"Bearer {demo.staff_token}"}
    )
    if shop.status_code == 404:
        registered = demo.call(
            "store-sync",
            "POST",
            "/shops",
            {
                "shop_id": SHOP,
                "name": "reloop Paris Rivoli",
                "kind": "own_shop",
                "market": "FR",
                "timezone": "Europe/Paris",
                "postal_code": "75001",
            },
        )
        demo.till_key = registered["api_key"]["api_key"]
    else:
        demo.till_key = demo.call("store-sync", "POST", f"/shops/{SHOP}/api-keys")["api_key"]
    demo.say(f"store-sync: shop {SHOP} registered with its own till key; inventory learns it as a location")
    demo.wait(
        "inventory knows the shop",
        lambda: any(x["location_id"] == SHOP for x in demo.call("inventory", "GET", "/locations?limit=500")["items"]),
    )
    demo.call(
        "catalog",
        "POST",
        "/admin/products",
        {"product_id": "iphone-13", "brand": "Apple", "model": "iPhone 13", "category": "smartphone"},
    )
    demo.call(
        "catalog",
        "POST",
        "/admin/products",
        {"product_id": "charger-20w", "brand": "reloop", "model": "USB-C charger 20 W", "category": "other"},
    )
    existing = demo.http.get(f"{demo.urls['catalog']}/skus/{SKU}")
    if existing.status_code == 404:
        demo.call(
            "catalog",
            "POST",
            "/admin/skus",
            {
                "sku": SKU,
                "product_id": "iphone-13",
                "kind": "refurbished_device",
                "title": "iPhone 13 128 GB midnight, excellent",
                "grade": "excellent",
                "storage_gb": 128,
                "colour": "midnight",
            },
        )
        demo.call(
            "catalog",
            "POST",
            "/admin/skus",
            {"sku": CHARGER, "product_id": "charger-20w", "kind": "accessory", "title": "USB-C charger 20 W"},
        )
    demo.call("catalog", "PUT", f"/admin/skus/{SKU}/prices/FR", {"amount_minor": 45900, "currency": "EUR"})
    demo.call("catalog", "PUT", f"/admin/skus/{CHARGER}/prices/FR", {"amount_minor": 1990, "currency": "EUR"})
    demo.say(f"catalog: {SKU} at 459.00 EUR in France, {CHARGER} at 19.90 EUR")
    demo.wait(
        "inventory and the storefront know the SKU",
        lambda: (
            demo.http.get(f"{demo.urls['inventory']}/availability/{SKU}").status_code == 200
            and demo.http.get(f"{demo.urls['orders']}/storefront/FR/skus/{SKU}").json().get("price") is not None
        ),
    )
    units = []
    for location_id, count in (("wh-paris", 2), (SHOP, 1)):
        for _ in range(count):
            imei = luhn_imei(int(time.time_ns() % 10**11))
            unit = demo.call(
                "inventory",
                "POST",
                "/units",
                {"sku": SKU, "identifier": {"kind": "imei", "value": imei}, "location_id": location_id},
            )
            demo.call("inventory", "POST", f"/units/{unit['unit_id']}/inspection", {"outcome": "restock"})
            units.append(f"{unit['unit_id']}@{location_id}")
    demo.say(f"inventory: received and inspected {', '.join(units)}")
    available = demo.call("inventory", "GET", f"/availability/{SKU}")["total_available"]
    demo.say(f"availability of {SKU}: {available}")


def _online_sale(demo: Demo) -> dict[str, Any]:
    cart = demo.call("orders", "POST", "/carts", {"market": "FR"}, demo.signed_in)
    line = {"sku": SKU, "quantity": 1, "kind": "refurbished_device"}
    demo.call("orders", "POST", f"/carts/{cart['cart_id']}/lines", line, demo.signed_in)
    placed = demo.call(
        "orders",
        "POST",
        f"/carts/{cart['cart_id']}/checkout",
        {
            "fulfilment": "ship",
            "payment": {"method": "card", "token": "tok_visa"},
            "contact": {
                "email": demo.email,
                "name": "Ada L.",
                "delivery_postal_code": "75011",
                "consent": {"marketing": True},
            },
        },
        demo.signed_in,
    )
    order_id = placed["order_id"]
    demo.say(f"online: order {order_id} checked out; inventory holds a unit, then the card is charged")
    demo.wait(
        "the order is placed and inventory applied its sale",
        lambda: _order(demo, order_id).get("stock_committed", False),
    )
    order = _order(demo, order_id)
    demo.say(f"online: order {order_id} {order['status']}, unit {order['lines'][0]['unit_id']} sold (channel online)")
    available = demo.call("inventory", "GET", f"/availability/{SKU}")["total_available"]
    demo.say(f"availability of {SKU}: {available} (storefront shows the same)")
    return order


def _order(demo: Demo, order_id: str) -> dict[str, Any]:
    found: dict[str, Any] = demo.call("orders", "GET", f"/orders/{order_id}", headers=demo.signed_in)
    return found


def _shop_sale(demo: Demo, order: dict[str, Any]) -> None:
    shelf = demo.call("inventory", "GET", f"/units?sku={SKU}&location_id={SHOP}&status=available&limit=1")
    unit_id = shelf["items"][0]["unit_id"]
    price = {"amount_minor": 45900, "currency": "EUR"}
    recorded = demo.call(
        "store-sync",
        "POST",
        f"/shops/{SHOP}/sales",
        {
            "client_txn_id": f"RIV-{demo.run}-0001",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lines": [
                {"line_id": "1", "kind": "refurbished_device", "sku": SKU, "unit_id": unit_id, "unit_price": price}
            ],
            "payments": [{"method": "card", "amount": price}],
            "total": price,
            "customer": {"email": demo.email, "consent": {"marketing": True}},
        },
        {"Authorization": f"Bearer {demo.till_key}"},
    )
    demo.say(
        f"shop: the till at {SHOP} sold {unit_id} ({recorded.get('outcome', 'recorded')}): "
        "the same SaleRecorded as online, channel own_shop, the customer's e-mail sealed"
    )
    demo.wait(
        "inventory applied the shop sale",
        lambda: demo.call("inventory", "GET", f"/units/{unit_id}")["status"] == "sold",
    )
    available = demo.call("inventory", "GET", f"/availability/{SKU}")["total_available"]
    storefront = demo.call("orders", "GET", f"/storefront/FR/skus/{SKU}")["available"]
    demo.say(
        f"availability of {SKU}: {available} in inventory, {storefront} on the storefront: one truth for both channels"
    )
    del order


def _one_profile(demo: Demo) -> None:
    """CRM matched the online account and the till's e-mail (through its keyed hash) to one person."""

    # CRM records who opens personal data and why: the back office names its purpose.
    staff = {"Authorization": f"Bearer {demo.staff_token}", "X-Purpose": "make up demo: one profile check"}

    def both_purchases() -> bool:
        found = demo.http.get(f"{demo.urls['crm']}/profiles", params={"email": demo.email}, headers=staff)
        if found.status_code != 200:
            return False
        profile = demo.call("crm", "GET", f"/profiles/{found.json()['profile_id']}", headers=staff)
        return {e["channel"] for e in profile["timeline"] if e["kind"] == "purchase"} >= {"online", "own_shop"}

    demo.wait("CRM holds both purchases in one profile", both_purchases)
    profile_id = demo.call("crm", "GET", "/profiles", params={"email": demo.email}, headers=staff)["profile_id"]
    profile = demo.call("crm", "GET", f"/profiles/{profile_id}", headers=staff)
    kinds = ", ".join(sorted({i["kind"] for i in profile["identifiers"]}))
    purchases = [f"{e['channel']} at {e['location_id']}" for e in profile["timeline"] if e["kind"] == "purchase"]
    marketing = profile["consents"]["marketing"]["granted"]
    demo.say(
        f"crm: one profile {profile_id} ({kinds}) with {len(purchases)} purchases: {'; '.join(purchases)}; "
        f"marketing consent {'granted' if marketing else 'not granted'}"
    )
    demo.say(f"crm: {demo.urls['crm']}/profiles/{profile_id} shows the 360 view; reloop report prints the analytics")


TRADED_IN = "iphone-12"
"""The demo customer's old phone: the catalog's product id of its model, as trade-in's grid keys it."""


def _trade_in_spent_in_a_shop(demo: Demo) -> None:
    """The customer trades their old phone in online for store credit, then spends part of the
    voucher at the shop's till: trade-in redeems it from the same SaleRecorded inventory applies."""
    print("\ndemo: a trade-in paid in store credit, spent in a shop", flush=True)
    code, issued = _trade_in_paid_by_voucher(demo)
    _voucher_spent_at_the_till(demo, code, issued)


def _trade_in_paid_by_voucher(demo: Demo) -> tuple[str, int]:
    """Quote, accept, receive, inspect, pay: the voucher's code (answered this once) and its amount."""
    grid_entry = {
        "price": {"amount_minor": 32000, "currency": "EUR"},
        "floor": {"amount_minor": 9000, "currency": "EUR"},
        "released_on": "2020-10-23",
        "monthly_decay_bps": 80,
    }
    demo.call("trade-in", "PUT", f"/price-grid/FR/{TRADED_IN}/128/very_good", grid_entry)
    demo.say(f"trade-in: the buy-back grid pays 320.00 EUR for a very good {TRADED_IN} 128 GB at release, -0.8%/month")
    imei = luhn_imei(int(time.time_ns() % 10**11))
    quote = {
        "market": "FR",
        "model_family": TRADED_IN,
        "storage_gb": 128,
        "category": "smartphone",
        "identifier": {"kind": "imei", "value": imei},
        "declared_grade": "very_good",
        "answers": {
            "screen": "light_scratches",
            "body": "light_scratches",
            "battery_health_pct": 86,
            "powers_on": True,
            "functional_checks_passed": True,
            "activation_lock_removed": True,
        },
    }
    quoted = demo.call("trade-in", "POST", "/quotes", quote, demo.signed_in)
    trade_in_id, offered = quoted["trade_in_id"], quoted["offered"]["amount_minor"]
    demo.say(
        f"trade-in: {demo.customer_id} quoted their {TRADED_IN} (IMEI {imei}) online: {_eur(offered)}, "
        f"+{quoted['voucher_bonus_bps'] / 100:g}% in store credit, until {quoted['expires_at'][:10]}"
    )
    accept = {"payout_method": "voucher", "shipment_reference": f"PARCEL-{demo.run}"}
    accepted = demo.call("trade-in", "POST", f"/trade-ins/{trade_in_id}/accept", accept, demo.signed_in)
    demo.say(f"trade-in: {trade_in_id} accepted, paid by voucher, parcel on its way ({accepted['status']})")
    receipt = {"location_id": "centre-lyon", "identifier": {"kind": "imei", "value": imei}}
    received = demo.call("trade-in", "POST", f"/trade-ins/{trade_in_id}/receipt", receipt)
    inspection = {"grade": "very_good", "findings": ["light scratches on the screen, as declared"]}
    inspected = demo.call("trade-in", "POST", f"/trade-ins/{trade_in_id}/inspection", inspection)
    demo.say(
        f"trade-in: centre-lyon received it ({received['status']}: IMEI and deny list checked) and graded it "
        f"{inspected['grade']} as declared ({inspected['status']})"
    )
    paid = demo.call("trade-in", "POST", f"/trade-ins/{trade_in_id}/payout")
    voucher = paid["voucher"]
    demo.say(
        f"trade-in: paid {_eur(voucher['amount']['amount_minor'])} in store credit: voucher {voucher['code']} "
        "(its code is answered this once; trade-in keeps only its hash)"
    )
    return voucher["code"], voucher["amount"]["amount_minor"]


def _voucher_spent_at_the_till(demo: Demo, code: str, issued: int) -> None:
    """Two chargers at the shop's till, paid partly with the voucher and the rest by card. The till
    first asks for a hold on the voucher: store-sync puts the request on the bus, trade-in decides
    it against the ledger, and the till reads the answer."""
    demo.wait("inventory takes the shop's chargers in", lambda: _chargers_in_the_shop(demo, 5))
    price, by_voucher = 1990, 3000
    total = 2 * price
    eur = "EUR"
    hold_id = f"RIV-{demo.run}-H1"
    asked = {"hold_id": hold_id, "code": code, "amount": {"amount_minor": by_voucher, "currency": eur}}
    held = demo.call(
        "store-sync", "POST", f"/shops/{SHOP}/voucher-holds", asked, {"Authorization": f"Bearer {demo.till_key}"}
    )
    demo.say(
        f"shop: the till at {SHOP} asked trade-in, over the bus, to hold {_eur(by_voucher)} of the voucher: "
        f"{held['status']}" + (f" until {held['held_until'][11:19]} UTC" if held.get("held_until") else "")
    )
    recorded = demo.call(
        "store-sync",
        "POST",
        f"/shops/{SHOP}/sales",
        {
            "client_txn_id": f"RIV-{demo.run}-0002",
            "occurred_at": datetime.now(UTC).isoformat(),
            "lines": [
                {
                    "line_id": "1",
                    "kind": "accessory",
                    "sku": CHARGER,
                    "quantity": 2,
                    "unit_price": {"amount_minor": price, "currency": eur},
                }
            ],
            "payments": [
                {
                    "method": "voucher",
                    "amount": {"amount_minor": by_voucher, "currency": eur},
                    "voucher_code": code,
                    "reference": hold_id,
                },
                {"method": "card", "amount": {"amount_minor": total - by_voucher, "currency": eur}},
            ],
            "total": {"amount_minor": total, "currency": eur},
        },
        {"Authorization": f"Bearer {demo.till_key}"},
    )
    demo.say(
        f"shop: the till at {SHOP} sold 2 x {CHARGER} for {_eur(total)} ({recorded.get('outcome', 'recorded')}): "
        f"{_eur(by_voucher)} by voucher, {_eur(total - by_voucher)} by card"
    )
    left = issued - by_voucher

    def redeemed() -> bool:
        balance = demo.call("trade-in", "GET", f"/vouchers/{code}/balance", headers=demo.signed_in)
        return int(balance["balance"]["amount_minor"]) == left

    demo.wait("trade-in redeems the voucher from the shop's SaleRecorded", redeemed)
    balance = demo.call("trade-in", "GET", f"/vouchers/{code}/balance", headers=demo.signed_in)
    demo.say(
        f"trade-in: redeemed {_eur(by_voucher)} from the shop's SaleRecorded; "
        f"the customer sees {_eur(balance['balance']['amount_minor'])} left on voucher …{balance['code_hint']}"
    )


def _chargers_in_the_shop(demo: Demo, quantity: int) -> bool:
    """Receive chargers at the shop once inventory knows the SKU from the catalog (it learns it
    from an event, so the first tries may come before it)."""
    body = {"sku": CHARGER, "location_id": SHOP, "quantity": quantity, "reference": f"demo-{demo.run}"}
    headers = {"Authorization": f"Bearer {demo.staff_token}"}
    answer = demo.http.post(f"{demo.urls['inventory']}/accessories/receipts", json=body, headers=headers)
    return answer.status_code == 201


def _eur(minor: int) -> str:
    return f"{minor / 100:.2f} EUR"
