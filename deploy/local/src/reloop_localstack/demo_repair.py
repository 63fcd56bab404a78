"""The demo's repair part: a plan covering a phone reloop never sold, left at the shop and repaired
there at no charge; then a dunning cycle played ahead of time on the same plan (the renewal run
takes the moment it runs as, `POST /renewal-runs`), until a payment brings it back."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from reloop_localstack.testing import luhn_imei


class Demo(Protocol):
    """What this part of the demo uses of `reloop_localstack.demo.Demo` (named here, not imported:
    the demo imports this module)."""

    customer_id: str
    signed_in: dict[str, str]
    till_key: str
    run: str

    def call(
        self,
        service: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> Any: ...

    def wait(self, what: str, check: Callable[[], bool], timeout: float = 30) -> None: ...

    def say(self, text: str) -> None: ...


PHONE_MODEL = "pixel-7"
"""The customer's own phone, bought elsewhere: the plan covers it all the same."""


def repair_under_the_plan_and_dunning(demo: Demo, shop: str) -> None:
    print("\ndemo: the unlimited-repair plan, a covered repair at the shop, and a dunning cycle", flush=True)
    imei = luhn_imei(int(time.time_ns() % 10**11) + 7)
    plan = _subscribed(demo, imei)
    _repaired_at_the_shop(demo, shop, imei, plan)
    _dunning_cycle(demo, plan)


def _subscribed(demo: Demo, imei: str) -> dict[str, Any]:
    phone = {"identifier": {"kind": "imei", "value": imei}, "category": "smartphone", "model": PHONE_MODEL}
    subscribe = {"market": "FR", "devices": [phone]}
    plan: dict[str, Any] = demo.call("repair", "POST", "/subscriptions", subscribe, demo.signed_in)
    demo.say(
        f"repair: {demo.customer_id} subscribed their {PHONE_MODEL} (IMEI {imei}, not bought from reloop): "
        f"{_eur(plan['price']['amount_minor'])} a month, paid until {plan['paid_through'][:10]} ({plan['status']})"
    )
    return plan


def _repaired_at_the_shop(demo: Demo, shop: str, imei: str, plan: dict[str, Any]) -> None:
    left = {
        "client_txn_id": f"RIV-{demo.run}-R1",
        "occurred_at": datetime.now(UTC).isoformat(),
        "device": {"identifier_kind": "imei", "identifier": imei},
        "issue": "cracked screen",
        "customer": {"customer_id": demo.customer_id},
    }
    demo.call("store-sync", "POST", f"/shops/{shop}/repairs", left, {"Authorization": f"Bearer {demo.till_key}"})
    found: list[dict[str, Any]] = []

    def opened() -> bool:
        found[:] = demo.call("repair", "GET", "/me/tickets", headers=demo.signed_in)["items"]
        return bool(found)

    demo.wait("repair opens a ticket from the shop's drop-off", opened)
    ticket = found[0]
    demo.say(
        f"shop: the phone was left at {shop}; repair opened {ticket['ticket_id']}: "
        f"{ticket['coverage']} ({ticket['coverage_reason']})"
    )
    path = f"/tickets/{ticket['ticket_id']}"
    diagnosis = {"findings": ["screen and digitiser cracked"], "estimate": {"amount_minor": 14900, "currency": "EUR"}}
    demo.call("repair", "POST", f"{path}/diagnosis", diagnosis)
    for step in ("start-repair", "repaired", "quality-passed", "send-back"):
        done = demo.call("repair", "POST", f"{path}/{step}", {})
    demo.say(
        f"repair: diagnosed (149.00 EUR of work), repaired, quality checked: {done['status']} at {done['shop_id']}, "
        f"charged {_eur(0)} under {plan['subscription_id']}"
    )


def _dunning_cycle(demo: Demo, plan: dict[str, Any]) -> None:
    path = f"/subscriptions/{plan['subscription_id']}"
    # The local billing ledger declines the renewal and its three retries, as a card would.
    demo.call("repair", "PUT", f"{path}/scripted-declines", {"count": 4, "reason": "card expired"})
    paid_through = datetime.fromisoformat(plan["paid_through"])
    for days, what in ((1, "the renewal fails"), (8, "three retries fail"), (15, "day 14 overdue")):
        as_of = paid_through + timedelta(days=days)
        demo.call("repair", "POST", "/renewal-runs", {"as_of": as_of.isoformat()})
        state = demo.call("repair", "GET", path)
        demo.say(f"repair: as of {as_of:%Y-%m-%d}, {what}: {state['status']}")
    paid = demo.call("repair", "POST", f"{path}/payment", None, demo.signed_in)
    until = paid["paid_through"][:10]
    demo.say(f"repair: {demo.customer_id} paid what was overdue: {paid['status']}, paid until {until}")


def _eur(minor: int) -> str:
    return f"{minor / 100:.2f} EUR"
