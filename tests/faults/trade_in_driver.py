"""Sends the day's trade-ins: a customer quotes a device with their own token, then mails it in
(accepting the quote with the parcel's reference) or hands it over at a shop's till (the hand-over
accepts the quote; trade-in hears of it on Kafka); the centre receives and grades it, the customer
answers a counter-offer, and the trade-in is paid (its store credit's code goes to the order that
spends it) or the device goes back.

Nothing here is retried unless it is idempotent: a quote names its IMEI (asked again, 409: the
device is in an open trade-in, the first among the customer's), the till's id for a hand-over
makes it one drop-off, a step asked again after a lost answer is a 409 naming the status it
already led to, and a payout asked again answers what was paid."""

from __future__ import annotations

import functools
from typing import Any

from reloop_localstack.testing import luhn_imei
from tests.faults.day import GRADES, MARKET, TRADE_IN_STORAGE_GB, TradeIn
from tests.faults.driver import GIVE_UP_AFTER_S, Driver, Refused, in_parallel, money, yesterday_at
from tests.faults.pacing import Pace

CENTRE = "flt-centre"
"""Where the trade-ins' devices are received and graded."""
TRADE_IN_IMEI_BASE = 7_000_000
"""Trade-ins' IMEIs are made from this plus their index: no unit of the day has one of them."""


class TradeInDriver:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.sent = driver.sent

    async def set_up(self) -> None:
        """The buy-back grid the quotes are priced from, set by hand, with no decay: a price holds."""
        for (family, grade), price in self.driver.day.buy_back.items():
            entry = {"price": money(price), "floor": money(price // 2), "released_on": "2020-01-01"}
            path = f"/price-grid/{MARKET}/{family}/{TRADE_IN_STORAGE_GB}/{grade}"
            await self.driver.call("trade-in", "PUT", path, entry | {"monthly_decay_bps": 0})

    async def trade_ins(self, trade_ins: list[TradeIn], pace: Pace, concurrency: int = 6) -> None:
        """The trade-ins, the n-th quoted no earlier than its moment in the window, each taken
        through to its end (paid, or returned) before the next in its lane."""

        async def paced(n: int, trade_in: TradeIn) -> None:
            await pace.wait(n, len(trade_ins))
            try:
                await self._trade_in(trade_in)
            finally:
                if trade_in.voucher is not None:
                    self.driver.credit[trade_in.voucher].set()  # its order goes on, with or without the credit

        await in_parallel(concurrency, [functools.partial(paced, n, t) for n, t in enumerate(trade_ins)])

    async def _trade_in(self, t: TradeIn) -> None:
        signed_in = self.driver.customer(t.customer_id)
        imei = luhn_imei(TRADE_IN_IMEI_BASE + t.index)
        trade_in_id = await self._quote(t, imei, signed_in)
        self.sent.trade_ins[t.index] = trade_in_id
        path = f"/trade-ins/{trade_in_id}"
        if t.shop_id is None:
            accept = {"payout_method": t.payout_method, "shipment_reference": f"flt-parcel-{t.index}"}
            await self._move(trade_in_id, f"{path}/accept", accept, signed_in, ("in_transit",))
        else:  # the shop's till collects it; the hand-over accepts the quote (trade-in hears of it on Kafka)
            await self._hand_over(t, imei, trade_in_id)
        receipt = {"location_id": CENTRE, "identifier": {"kind": "imei", "value": imei}}
        await self._move(trade_in_id, f"{path}/receipt", receipt, self.driver.staff, ("received",))
        worse = GRADES.index(t.graded) > GRADES.index(t.declared)
        inspection = {"grade": t.graded, "findings": ["scratches on the back"] if worse else []}
        status = await self._move(
            trade_in_id, f"{path}/inspection", inspection, self.driver.staff, ("inspected", "counter_offered")
        )
        if status == "counter_offered":
            answer = {"accepted": t.accepts_counter}
            ends = ("inspected",) if t.accepts_counter else ("returning",)
            status = await self._move(trade_in_id, f"{path}/counter-offer/answer", answer, signed_in, ends)
        if status == "returning":
            self.sent.trade_in_ends[t.index] = await self._move(
                trade_in_id, f"{path}/returned", None, self.driver.staff, ("returned",)
            )
            return
        paid = (await self.driver.call("trade-in", "POST", f"{path}/payout")).json()
        self.sent.trade_in_ends[t.index] = paid["trade_in"]["status"]
        if t.voucher is None:
            return
        if paid["voucher"] is not None:
            self.sent.voucher_codes[t.voucher] = paid["voucher"]["code"]
        else:  # answered a retry: what was paid, not the code, shown once with the answer lost
            self.sent.codes_lost.add(t.voucher)
        if paid["trade_in"]["voucher_id"] is not None:
            self.sent.voucher_ids[t.voucher] = paid["trade_in"]["voucher_id"]

    async def _quote(self, t: TradeIn, imei: str, signed_in: dict[str, str]) -> str:
        """A quote is not idempotent, but its IMEI is: asked again after a lost answer, trade-in
        refuses a second open trade-in of the device (409), and the first is among the customer's."""
        body = {
            "market": MARKET,
            "model_family": t.family,
            "storage_gb": TRADE_IN_STORAGE_GB,
            "category": "smartphone",
            "identifier": {"kind": "imei", "value": imei},
            "declared_grade": t.declared,
            "answers": {
                "screen": "flawless",
                "body": "light_scratches",
                "battery_health_pct": 91,
                "powers_on": True,
                "functional_checks_passed": True,
                "activation_lock_removed": True,
            },
        }
        answer = await self.driver.call("trade-in", "POST", "/quotes", body, signed_in, accept=(201, 409))
        if answer.status_code == 201:
            return str(answer.json()["trade_in_id"])
        mine = (
            await self.driver.call("trade-in", "GET", "/me/trade-ins", headers=signed_in, params={"limit": 100})
        ).json()
        for item in mine["items"]:
            if (item.get("identifier") or {}).get("value") == imei:
                return str(item["trade_in_id"])
        raise Refused(f"quote of {imei} refused, and not among {t.customer_id}'s trade-ins: {answer.text[:300]}")

    async def _hand_over(self, t: TradeIn, imei: str, trade_in_id: str) -> None:
        """The customer brings the device to a shop's till (the till's id for it makes a retry one
        transaction), and trade-in moves the trade-in on when the drop-off reaches it."""
        assert t.shop_id is not None
        drop_off = {
            "type": "trade_in",
            "client_txn_id": f"flt-{self.driver.tag}-ti{t.index}",
            "occurred_at": yesterday_at(minutes=12 * 60).isoformat(),
            "device": {"identifier_kind": "imei", "identifier": imei},
            "payout": money(0),
            "payout_method": "store_credit" if t.payout_method == "voucher" else "bank_transfer",
            "trade_in_id": trade_in_id,
        }
        till = {"Authorization": f"Bearer {self.driver.till_keys[t.shop_id]}"}
        body = {"transactions": [drop_off]}
        await self.driver.call("store-sync", "POST", f"/shops/{t.shop_id}/transactions", body, till)

        async def on_its_way() -> bool:
            return await self._status(trade_in_id) == "in_transit"

        await self.driver.until(on_its_way, f"trade-in {trade_in_id} collected at {t.shop_id}", timeout=GIVE_UP_AFTER_S)

    async def _status(self, trade_in_id: str) -> str:
        return str((await self.driver.call("trade-in", "GET", f"/trade-ins/{trade_in_id}")).json()["status"])

    async def _move(
        self, trade_in_id: str, path: str, body: Any, headers: dict[str, str], after: tuple[str, ...]
    ) -> str:
        """One step of a trade-in. Not idempotent by a key, but by its state: the same step asked
        again after a lost answer is a 409 naming the state it already led to."""
        answer = await self.driver.call("trade-in", "POST", path, body, headers, accept=(200, 409))
        status = str(answer.json()["status"]) if answer.status_code == 200 else await self._status(trade_in_id)
        if status not in after:
            raise Refused(f"{path} -> {answer.status_code}, trade-in {status}, not {after}: {answer.text[:300]}")
        return status
