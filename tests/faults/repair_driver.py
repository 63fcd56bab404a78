"""Sends the day's repairs: a customer subscribes to the repair plan (with their own token), leaves
the device at a shop's till (the till's id for it makes a retry one drop-off, and repair opens one
ticket per drop-off), and the workshop takes the ticket through its steps to the customer's pickup.
Then one renewal run, as of a month and some days later, renews every subscription once.

Nothing here is retried unless it is idempotent: a subscription's device is on one live plan only
(asked again, 409, and the first is among the customer's), and a ticket's step asked again after a
lost answer is a 409 naming the status it already led to."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

from reloop_localstack.testing import luhn_imei
from tests.faults.day import CURRENCY, MARKET, REPAIR_CENTRE, REPAIR_PART, Repair
from tests.faults.driver import GIVE_UP_AFTER_S, Driver, Refused, in_parallel, yesterday_at
from tests.faults.pacing import Pace

REPAIR_IMEI_BASE = 8_000_000
"""Repairs' IMEIs: no unit or trade-in of the day has one of them."""
RUN_AHEAD = timedelta(days=35)
"""The renewal run's moment: past every subscription's first month, before its second ends."""


class RepairDriver:
    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.sent = driver.sent

    async def set_up(self) -> None:
        """Parts enough for every repair many times over (a receipt retried adds some more)."""
        receipt = {"quantity": 100_000, "reorder_point": 0}
        await self.driver.call("repair", "POST", f"/centres/{REPAIR_CENTRE}/parts/{REPAIR_PART}/receipts", receipt)

    async def repairs(self, repairs: list[Repair], pace: Pace, concurrency: int = 3) -> None:
        """The repairs, the n-th left at its shop no earlier than its moment in the window, each
        taken to its end; then the renewal run."""

        async def paced(n: int, repair: Repair) -> None:
            await pace.wait(n, len(repairs))
            await self._repair(repair)

        await in_parallel(concurrency, [functools.partial(paced, n, r) for n, r in enumerate(repairs)])
        if self.sent.subscriptions:
            as_of = datetime.now(UTC) + RUN_AHEAD  # decided once: a retry asks for the same run
            run = await self.driver.call("repair", "POST", "/renewal-runs", {"as_of": as_of.isoformat()})
            self.sent.renewal_runs.append(run.json())

    async def _repair(self, r: Repair) -> None:
        imei = luhn_imei(REPAIR_IMEI_BASE + r.index)
        device = {"identifier": {"kind": "imei", "value": imei}, "category": "smartphone", "model": "flt-phone"}
        if r.subscribes:
            self.sent.subscriptions[r.index] = await self._subscribe(r, device)
        ticket = await self._drop_off(r, imei)
        self.sent.tickets[r.index] = ticket
        path = f"/tickets/{ticket}"
        diagnosis: dict[str, Any] = {
            "findings": ["cracked screen"],
            "parts": [{"part_sku": REPAIR_PART, "quantity": r.parts}] if r.parts else [],
            "estimate": {"amount_minor": r.estimate, "currency": CURRENCY},
        }
        status = await self._move(
            ticket, f"{path}/diagnosis", diagnosis, None, ("diagnosed", "waiting_for_parts", "quoted")
        )
        if status == "quoted":
            signed_in = self.driver.customer(r.customer_id)
            answer = {"accepted": r.accepts_quote}
            after = ("diagnosed", "waiting_for_parts") if r.accepts_quote else ("returned_unrepaired",)
            status = await self._move(ticket, f"{path}/quote-answer", answer, signed_in, after)
        if status != "returned_unrepaired":
            await self._move(ticket, f"{path}/start-repair", {}, None, ("in_repair",))
            await self._move(ticket, f"{path}/repaired", {}, None, ("repaired",))
            if r.fails_quality:
                await self._move(ticket, f"{path}/quality-failed", {"note": "scratch"}, None, ("in_repair",))
                await self._move(ticket, f"{path}/repaired", {}, None, ("repaired",), again=True)
            await self._move(ticket, f"{path}/quality-passed", {}, None, ("quality_checked",))
            await self._move(ticket, f"{path}/send-back", {}, None, ("ready_for_pickup",))
        self.sent.repair_ends[r.index] = await self._move(ticket, f"{path}/hand-back", {}, None, ("closed",))

    async def _subscribe(self, r: Repair, device: dict[str, Any]) -> str:
        signed_in = self.driver.customer(r.customer_id)
        body = {"market": MARKET, "devices": [device]}
        answer = await self.driver.call("repair", "POST", "/subscriptions", body, signed_in, accept=(201, 409))
        if answer.status_code == 201:
            return str(answer.json()["subscription_id"])
        mine = await self.driver.call("repair", "GET", "/me/subscriptions", headers=signed_in, params={"limit": 100})
        for item in mine.json()["items"]:
            if any(d["identifier"] == device["identifier"]["value"] for d in item["devices"]):
                return str(item["subscription_id"])
        raise Refused(f"subscription of {r.customer_id} refused, and not among theirs: {answer.text[:300]}")

    async def _drop_off(self, r: Repair, imei: str) -> str:
        """The device left at the till; the ticket repair opens when the drop-off reaches it."""
        drop_off = {
            "type": "repair",
            "client_txn_id": f"flt-{self.driver.tag}-rp{r.index}",
            "occurred_at": yesterday_at(minutes=15 * 60).isoformat(),
            "device": {"identifier_kind": "imei", "identifier": imei},
            "issue": "the screen is cracked",
            "customer": {"customer_id": r.customer_id},
        }
        till = {"Authorization": f"Bearer {self.driver.till_keys[r.shop_id]}"}
        body = {"transactions": [drop_off]}
        await self.driver.call("store-sync", "POST", f"/shops/{r.shop_id}/transactions", body, till)
        found: list[str] = []

        async def opened() -> bool:
            params = {"shop_id": r.shop_id, "customer_id": r.customer_id, "limit": 10}
            page = (await self.driver.call("repair", "GET", "/tickets", params=params)).json()
            found[:] = [t["ticket_id"] for t in page["items"] if t["identifier_value"] == imei]
            return bool(found)

        await self.driver.until(opened, f"repair ticket of {imei} opened at {r.shop_id}", timeout=GIVE_UP_AFTER_S)
        if len(found) > 1:
            raise Refused(f"one drop-off of {imei} opened {len(found)} tickets: {found}")
        return found[0]

    async def _move(
        self,
        ticket: str,
        path: str,
        body: Any,
        headers: dict[str, str] | None,
        after: tuple[str, ...],
        *,
        again: bool = False,
    ) -> str:
        """One step of the ticket. Asked again after a lost answer, it is a 409 and the ticket is
        already where the step leads (`again`: a step the ticket takes a second time, after a
        failed quality check, is told from the first by the ticket's history)."""
        answer = await self.driver.call("repair", "POST", path, body, headers, accept=(200, 409))
        if answer.status_code == 200:
            status = str(answer.json()["status"])
        else:
            seen = (await self.driver.call("repair", "GET", f"/tickets/{ticket}")).json()
            status = str(seen["status"])
            if again and [h["to_status"] for h in seen["history"]].count(status) < 2:
                status = "not taken again"
        if status not in after:
            raise Refused(f"{path} -> {answer.status_code}, ticket {status}, not {after}: {answer.text[:300]}")
        return status
