"""Sends the generated day to the services over HTTP, as the storefront, the back office and the
shops' tills would, and the malformed part of it to Kafka as the admin. Every call is retried
while a service is down (connection refused, 5xx): what is retried is idempotent (the till's
`client_txn_id` and its voucher hold's `hold_id`, checkout's `Idempotency-Key`, a unit's own id),
so a retry never adds a sale. The trade-ins and the repairs have drivers of their own
(`trade_in_driver.py`, `repair_driver.py`) on the same retried call."""

from __future__ import annotations

import asyncio
import functools
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from reloop_contracts import REGISTRY, sales
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_localstack.testing import luhn_imei
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF, STOREFRONT
from reloop_shared.auth.tokens import issue_token
from reloop_shared.kafka.broker import make_producer
from reloop_shared.messaging.codec import encode, envelope_for
from tests.faults.day import (
    CURRENCY,
    MARKET,
    WAREHOUSE,
    Day,
    Malformed,
    OnlineOrder,
    ShopLine,
    ShopReturn,
    ShopSale,
    Voucher,
)
from tests.faults.pacing import Pace

STAFF_SCOPES = (
    "catalog:write",
    "inventory:write",
    "inventory:read",
    "store-sync:admin",
    "crm:read",
    "crm:read-personal",  # a profile is found by its account id
    "trade-in:vouchers",
    "trade-in:read",
    "trade-in:inspect",  # the centre: receipt, inspection, a declined device handed back
    "trade-in:payout",
    "trade-in:pricing",  # the buy-back grid the quotes are priced from
    "repair:workshop",
    "repair:read",
    "repair:subscriptions",  # the renewal run, the charges' ledger
)
GIVE_UP_AFTER_S = 240.0
"""One call retried this long: longer than any fault the schedule plays."""


class Refused(RuntimeError):
    """A 4xx that is not an answer to a retry: the input, or the harness, is wrong."""


@dataclass
class Sent:
    """What the services answered: the facts the checker looks for in the read models."""

    unit_ids: dict[int, str] = field(default_factory=dict)
    voucher_codes: dict[int, str] = field(default_factory=dict)  # voucher index -> its code, as issued
    voucher_ids: dict[int, str] = field(default_factory=dict)  # voucher index -> its id
    codes_lost: set[int] = field(default_factory=set)
    """Vouchers whose payout answer (the one showing the code) was lost to a fault: nobody can spend them."""
    trade_ins: dict[int, str] = field(default_factory=dict)  # trade-in index -> its id
    trade_in_ends: dict[int, str] = field(default_factory=dict)  # trade-in index -> the status the driver left it in
    subscriptions: dict[int, str] = field(default_factory=dict)  # repair index -> its subscription id
    tickets: dict[int, str] = field(default_factory=dict)  # repair index -> its ticket id
    repair_ends: dict[int, str] = field(default_factory=dict)  # repair index -> the status the driver left it in
    renewal_runs: list[dict[str, Any]] = field(default_factory=list)  # what each renewal run answered
    orders: dict[str, str] = field(default_factory=dict)  # idempotency key -> order id
    order_customers: dict[str, str] = field(default_factory=dict)  # order id -> customer id
    pos_outcomes: dict[str, str] = field(default_factory=dict)  # client_txn_id -> result
    pos_canonical_ids: dict[str, str] = field(default_factory=dict)  # client_txn_id -> sale (or return) id
    till_holds: dict[str, str] = field(default_factory=dict)  # client_txn_id -> the voucher hold its sale converts
    malformed_answers: dict[str, int] = field(default_factory=dict)  # key -> HTTP status
    malformed_published: set[str] = field(default_factory=set)  # keys of records sent to Kafka
    retries: int = 0
    abandoned_carts: int = 0


class Driver:
    def __init__(self, day: Day, urls: dict[str, str], keys: LocalKeySet, namespace: str) -> None:
        self.day = day
        self.urls = urls
        self.keys = keys
        self.registry = REGISTRY.namespaced(namespace)
        self.staff = {"Authorization": f"Bearer {self._token('flt-staff', STAFF, STAFF_SCOPES)}"}
        self.sent = Sent()
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(20.0), limits=httpx.Limits(max_connections=40))
        self.till_keys: dict[str, str] = {}
        self.tag = f"{day.seed:x}".upper()[-6:]
        self._customer_tokens: dict[str, dict[str, str]] = {}
        self.credit: dict[int, asyncio.Event] = {v.index: asyncio.Event() for v in day.vouchers}
        """Set when a voucher's code is known (or known lost): its order waits for it."""

    async def close(self) -> None:
        await self.http.aclose()

    def _token(self, subject: str, audience: str, scopes: tuple[str, ...] = ()) -> str:
        return issue_token(self.keys, subject=subject, audience=audience, scopes=scopes)

    def customer(self, customer_id: str) -> dict[str, str]:
        if customer_id not in self._customer_tokens:
            token = self._token(customer_id, STOREFRONT)
            self._customer_tokens[customer_id] = {"Authorization": f"Bearer {token}"}
        return self._customer_tokens[customer_id]

    def unit_id(self, index: int) -> str:
        return f"U-FLT{self.tag}-{index:06d}"

    # -- one call, retried -----------------------------------------------------------------------

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        accept: tuple[int, ...] = (200, 201, 202, 204),
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """The call until it is answered with one of `accept`; a 4xx outside them is `Refused`."""
        delay, waited = 0.2, 0.0
        while True:
            try:
                response = await self.http.request(
                    method, f"{self.urls[service]}{path}", json=body, headers=headers or self.staff, params=params
                )
                if response.status_code in accept:
                    return response
                if response.status_code < 500 and response.status_code != 429:
                    raise Refused(f"{service} {method} {path} -> {response.status_code}: {response.text[:500]}")
            except httpx.TransportError:
                pass  # down, restarting, or the answer was lost: the same call again
            self.sent.retries += 1
            if waited > GIVE_UP_AFTER_S:
                raise TimeoutError(f"{service} {method} {path} unanswered for {waited:.0f}s")
            await asyncio.sleep(delay)
            waited += delay
            delay = min(delay * 2, 2.0)

    async def read_all(self, service: str, paths: list[str], *, width: int = 8) -> dict[str, Any]:
        """Each path's JSON answer, several calls at a time: the check reads hundreds of records,
        and one after another they were a minute of the suite's run."""
        answers: dict[str, Any] = {}

        async def read(path: str) -> None:
            answers[path] = (await self.call(service, "GET", path)).json()

        await in_parallel(width, [functools.partial(read, path) for path in paths])
        return answers

    # -- before the day: the catalog, the shops, the stock ---------------------------------------

    async def set_up(self) -> None:
        for sku, price in self.day.devices.items():
            await self._list(sku, "refurbished_device", price)
        for sku, price in self.day.accessories.items():
            await self._list(sku, "accessory", price)
        await self.call(
            "inventory",
            "POST",
            "/locations",
            {"location_id": WAREHOUSE, "kind": "warehouse", "market": MARKET, "name": "fault-suite warehouse"},
            accept=(201, 409),
        )
        for shop in self.day.shops:
            body: dict[str, Any] = {
                "shop_id": shop,
                "name": shop,
                "kind": "own_shop",
                "market": MARKET,
                "timezone": "Europe/Paris",
            }
            registered = await self.call("store-sync", "POST", "/shops", body)
            self.till_keys[shop] = registered.json()["api_key"]["api_key"]
        await self.until(self._inventory_knows_everything, "inventory learnt every shop and SKU")
        await in_parallel(8, [functools.partial(self._receive, u.index, u.sku, u.location_id) for u in self.day.units])
        for (sku, location), quantity in self.day.accessory_receipts.items():
            receipt = {"sku": sku, "location_id": location, "quantity": quantity, "reference": f"flt-{sku}-{location}"}
            await self.call("inventory", "POST", "/accessories/receipts", receipt)
        await in_parallel(4, [functools.partial(self._issue, v) for v in self.day.vouchers if v.amount is not None])
        await self.until(self._storefront_prices, "the storefront shows every device's price")

    async def _issue(self, voucher: Voucher) -> None:
        """Issue by hand, as a trade-in paid in store credit would. Not idempotent: an answer lost
        to a fault would leave a voucher nobody spends, which changes no balance checked."""
        assert voucher.amount is not None, "a trade-in's voucher is issued by paying the trade-in"
        body = {"market": MARKET, "amount": money(voucher.amount), "customer_id": voucher.customer_id}
        issued = (await self.call("trade-in", "POST", "/vouchers", body, accept=(201,))).json()
        self.sent.voucher_codes[voucher.index] = issued["code"]
        self.sent.voucher_ids[voucher.index] = issued["voucher_id"]
        self.credit[voucher.index].set()

    async def _list(self, sku: str, kind: str, price: int) -> None:
        product = {"product_id": f"p-{sku.lower()}", "brand": "reloop", "model": sku, "category": "other"}
        if kind == "refurbished_device":
            product["category"] = "smartphone"
        await self.call("catalog", "POST", "/admin/products", product, accept=(201, 409))
        body: dict[str, Any] = {"sku": sku, "product_id": product["product_id"], "kind": kind, "title": sku}
        if kind == "refurbished_device":
            body |= {"grade": "excellent", "storage_gb": 128, "colour": "midnight"}
        await self.call("catalog", "POST", "/admin/skus", body, accept=(201, 409))
        money = {"amount_minor": price, "currency": CURRENCY}
        await self.call("catalog", "PUT", f"/admin/skus/{sku}/prices/{MARKET}", money)

    async def _inventory_knows_everything(self) -> bool:
        page = (await self.call("inventory", "GET", "/locations", params={"limit": 500})).json()
        known = {x["location_id"] for x in page["items"]}
        if not set(self.day.shops) <= known:
            return False
        for sku in [*self.day.devices, *self.day.accessories]:
            if (await self.call("inventory", "GET", f"/availability/{sku}", accept=(200, 404))).status_code != 200:
                return False
        return True

    async def _storefront_prices(self) -> bool:
        for sku in self.day.devices:
            answer = await self.call("orders", "GET", f"/storefront/{MARKET}/skus/{sku}", accept=(200, 404))
            if answer.status_code != 200 or answer.json().get("price") is None:
                return False
        return True

    async def _receive(self, index: int, sku: str, location: str) -> None:
        unit_id = self.unit_id(index)
        body = {"unit_id": unit_id, "sku": sku, "identifier": {"kind": "imei", "value": luhn_imei(index)}}
        await self.call("inventory", "POST", "/units", body | {"location_id": location}, accept=(201, 409))
        await self.call(
            "inventory", "POST", f"/units/{unit_id}/inspection", {"outcome": "restock"}, accept=(200, 201, 409)
        )
        self.sent.unit_ids[index] = unit_id

    async def until(self, check: Callable[[], Awaitable[bool]], what: str, timeout: float = 120) -> None:
        for _ in range(int(timeout / 0.5)):
            if await check():
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"not in {timeout:.0f}s: {what}")

    # -- the day ---------------------------------------------------------------------------------

    async def online(self, orders: list[OnlineOrder], pace: Pace, concurrency: int = 8) -> None:
        """The storefront's orders, the n-th placed no earlier than its moment in the window (eight
        lanes: an order spending a trade-in's credit waits in its lane until that trade-in is paid)."""

        async def paced(n: int, order: OnlineOrder) -> None:
            await pace.wait(n, len(orders))
            await self._order(order)

        await in_parallel(concurrency, [functools.partial(paced, n, o) for n, o in enumerate(orders)])

    async def _order(self, order: OnlineOrder) -> None:
        signed_in = self.customer(order.customer_id)
        line = {"sku": order.sku, "quantity": 1, "kind": "refurbished_device"}
        while True:
            cart = (await self.call("orders", "POST", "/carts", {"market": MARKET}, signed_in)).json()["cart_id"]
            await self.call("orders", "POST", f"/carts/{cart}/lines", line, signed_in)
            # A line added twice (the first answer lost to a kill) would buy two units: start again.
            lines = (await self.call("orders", "GET", f"/carts/{cart}", headers=signed_in)).json()["lines"]
            if sum(x["quantity"] for x in lines) == 1:
                break
            self.sent.abandoned_carts += 1
        body: dict[str, Any] = {"fulfilment": "ship", "payment": {"method": "card", "token": "tok_visa"}}
        if order.voucher is not None:
            await self.credit[order.voucher].wait()  # the trade-in paying it may not be paid yet
            code = self.sent.voucher_codes.get(order.voucher)
            if code is not None:  # else the code was lost with its payout's answer: the card pays all
                body["vouchers"] = [{"code": code, "amount": money(order.voucher_pays)}]
        headers = signed_in | {"Idempotency-Key": order.key}
        placed = (await self.call("orders", "POST", f"/carts/{cart}/checkout", body, headers)).json()
        self.sent.orders[order.key] = placed["order_id"]
        self.sent.order_customers[placed["order_id"]] = order.customer_id

    async def till(self, shop: str, batch: int, pace: Pace | None = None) -> None:
        """One shop's till uploading its journal, `batch` transactions at a time, in the order they
        happened: through the window when paced (a connected till), all at once when not (a
        backlog)."""
        journal = self.day.shop_transactions(shop)
        starts = range(0, len(journal), batch)
        for step, start in enumerate(starts):
            if pace is not None:
                await pace.wait(step, len(starts))
            till = {"Authorization": f"Bearer {self.till_keys[shop]}"}
            for txn in journal[start : start + batch]:
                if isinstance(txn, ShopSale) and txn.voucher is not None:
                    await self._hold(txn, till)
            body = {"transactions": [self._transaction(t) for t in journal[start : start + batch]]}
            answer = (await self.call("store-sync", "POST", f"/shops/{shop}/transactions", body, till)).json()
            for outcome in answer["outcomes"]:
                self.sent.pos_outcomes[outcome["client_txn_id"]] = outcome["result"]
                self.sent.pos_canonical_ids[outcome["client_txn_id"]] = outcome["canonical_id"]

    async def _hold(self, sale: ShopSale, till: dict[str, str]) -> None:
        """Before the sale, the till holds what the voucher pays (its id for the hold makes a retry
        the same request) and waits until trade-in has answered; a voucher whose code was lost with
        its payout's answer is not spent (the card pays all)."""
        assert sale.voucher is not None
        await self.credit[sale.voucher].wait()
        code = self.sent.voucher_codes.get(sale.voucher)
        if code is None:
            return
        hold_id = f"{sale.client_txn_id}-hold"
        body = {"hold_id": hold_id, "code": code, "amount": money(sale.voucher_pays), "reference": sale.client_txn_id}
        path = f"/shops/{sale.shop_id}/voucher-holds"
        # Held (200) or pending (202: trade-in has not answered yet); a refusal (409) is `Refused`.
        await self.call("store-sync", "POST", path, body, till, accept=(200, 202))

        async def held() -> bool:
            answer = (await self.call("store-sync", "GET", f"{path}/{hold_id}", headers=till)).json()
            if answer["status"] == "refused":
                raise Refused(f"hold {hold_id} of voucher {sale.voucher} refused: {answer}")
            return bool(answer["status"] == "held")

        await self.until(held, f"hold {hold_id} answered", timeout=GIVE_UP_AFTER_S)
        self.sent.till_holds[sale.client_txn_id] = hold_id

    def _transaction(self, txn: ShopSale | ShopReturn) -> dict[str, Any]:
        # Yesterday's day: a till's clock never runs ahead of the server's.
        at = yesterday_at(minutes=txn.minute)
        if isinstance(txn, ShopReturn):
            refund = money(txn.line.price_minor * txn.line.quantity)
            return {
                "type": "return",
                "client_txn_id": txn.client_txn_id,
                "occurred_at": at.isoformat(),
                "sale_txn_id": txn.sale.client_txn_id,
                "lines": [self._line(txn.line) | {"reason": "changed mind", "refund": refund}],
            }
        total = txn.total
        payments: list[dict[str, Any]] = [{"method": "card", "amount": money(total)}]
        hold_id = self.sent.till_holds.get(txn.client_txn_id)
        if hold_id is not None and txn.voucher is not None:
            code = self.sent.voucher_codes[txn.voucher]
            payments = [
                {"method": "card", "amount": money(total - txn.voucher_pays)},
                {"method": "voucher", "amount": money(txn.voucher_pays), "reference": hold_id, "voucher_code": code},
            ]
        return {
            "type": "sale",
            "client_txn_id": txn.client_txn_id,
            "occurred_at": at.isoformat(),
            "lines": [self._line(x) | {"unit_price": money(x.price_minor)} for x in txn.lines],
            "payments": payments,
            "total": money(total),
        }

    def _line(self, line: ShopLine) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "line_id": line.line_id,
            "kind": line.kind,
            "sku": line.sku,
            "quantity": line.quantity,
        }
        if line.unit_index is not None:
            shaped["unit_id"] = self.unit_id(line.unit_index)
        return shaped

    # -- the malformed 1% ------------------------------------------------------------------------

    async def malformed(self, bootstrap: str, pace: Pace) -> None:
        """The malformed 1%, spread over the window like the rest: bad bodies over HTTP, bad
        records to Kafka. Each record to Kafka has a key of its own (its `Malformed.key`, no
        aggregate's): a dead letter holds the later events of its key, and no real event follows."""
        producer = make_producer(bootstrap, client_id="faults-malformed")
        await producer.start()
        try:
            for n, bad in enumerate(self.day.malformed):
                await pace.wait(n, len(self.day.malformed))
                await self._one_malformed(bad, producer)
        finally:
            await producer.stop()

    async def _one_malformed(self, bad: Malformed, producer: AIOKafkaProducer) -> None:
        if bad.channel == "pos-body":
            shop = self.day.shops[0]
            till = {"Authorization": f"Bearer {self.till_keys[shop]}"}
            body: dict[str, Any] = {
                "transactions": [{"type": "sale", "client_txn_id": bad.key, "occurred_at": "yesterday-ish"}]
            }
            answer = await self.call("store-sync", "POST", f"/shops/{shop}/transactions", body, till, accept=_ANY_4XX)
            self.sent.malformed_answers[bad.key] = answer.status_code
        elif bad.channel == "checkout-body":
            signed_in = self.customer(f"flt-{self.tag}-malformed")
            body = {"fulfilment": "teleport", "payment": {"method": "beads"}, "note": bad.key}
            answer = await self.call("orders", "POST", f"/carts/{bad.key}/checkout", body, signed_in, accept=_ANY_4XX)
            self.sent.malformed_answers[bad.key] = answer.status_code
        else:
            value, headers = self._bad_record(bad.key, bad.channel)
            topic = self.registry.same_topic(sales.TRANSACTIONS).name
            waited = 0.0
            while True:
                try:
                    await producer.send_and_wait(topic, value, key=bad.key.encode(), headers=headers)
                    break
                except KafkaError:
                    # The broker is stopped or paused: the same record again (sent twice, it is
                    # dead-lettered twice under its own key, which the checker counts once).
                    self.sent.retries += 1
                    if waited > GIVE_UP_AFTER_S:
                        raise
                    await asyncio.sleep(1.0)
                    waited += 1.0
            self.sent.malformed_published.add(bad.key)

    def _bad_record(self, key: str, channel: str) -> tuple[bytes, list[tuple[str, bytes]]]:
        if channel == "kafka-bytes":
            return b"\x00\x01 not an envelope: " + key.encode(), [("content-type", CONTENT_TYPE.encode())]
        # A well-formed envelope of a schema version nobody knows yet.
        sale = sales.SaleRecorded.model_validate(
            {
                "sale_id": key,
                "channel": "own_shop",
                "location_id": self.day.shops[0],
                "market": MARKET,
                "sold_at": datetime.now(UTC).isoformat(),
                "lines": [
                    {
                        "line_id": "1",
                        "kind": "accessory",
                        "sku": next(iter(self.day.accessories)),
                        "unit_price": money(100),
                    }
                ],
                "total": money(100),
            }
        )
        envelope = json.loads(encode(envelope_for(sale, producer="store-sync")))
        envelope["schema_version"] = 99
        envelope["payload"]["a_field_of_version_99"] = True
        headers = {
            "content-type": CONTENT_TYPE,
            "event-type": sale.EVENT_TYPE,
            "schema-version": "99",
            "event-id": str(uuid.uuid4()),
        }
        return json.dumps(envelope).encode(), [(k, v.encode()) for k, v in headers.items()]


_ANY_4XX = tuple(range(400, 429)) + tuple(range(430, 500))


def yesterday_at(*, minutes: int) -> datetime:
    """When a till says something happened: yesterday's business day, this many minutes in (a
    till's clock may not be ahead of the server's, and the day must be in the past)."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=1) + timedelta(minutes=minutes)


def money(minor: int) -> dict[str, Any]:
    return {"amount_minor": minor, "currency": CURRENCY}


async def in_parallel(width: int, jobs: list[Callable[[], Awaitable[None]]]) -> None:
    queue: asyncio.Queue[Callable[[], Awaitable[None]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def worker() -> None:
        while not queue.empty():
            await queue.get_nowait()()

    await asyncio.gather(*(worker() for _ in range(width)))
