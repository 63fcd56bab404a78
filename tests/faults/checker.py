"""After the day: the topics and read models compared with the independent computation
(`model.py`). Every count in the summary is a number of things wrong, except where it says
"expected" or "seen"; a run that kept every promise shows 0 in each "wrong" row."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from reloop_contracts import REGISTRY, Registry, TopicSpec, sales
from reloop_contracts import inventory as stock
from reloop_shared.kafka import headers as h
from reloop_shared.kafka.admin import admin_client
from reloop_shared.kafka.headers import DLQ_CONSUMER, DLQ_REASON
from reloop_shared.kafka.whole_topic import read_whole_topic as records_of
from reloop_shared.messaging.codec import Decoder, PoisonMessage
from tests.faults.day import Day
from tests.faults.driver import Driver
from tests.faults.model import Expected
from tests.faults.repair_checks import check_repairs
from tests.faults.trade_in_checks import check_trade_ins, check_vouchers


@dataclass(frozen=True)
class Seen:
    """One record of a topic: its key, its event (None if it cannot be decoded), its headers."""

    partition: int
    offset: int
    key: str
    event_id: str | None
    event: Any
    headers: dict[str, str]


async def read_whole_topic(bootstrap: str, topic: str) -> list[Seen]:
    """Every record of `topic` from its beginning to its end now, in offset order per partition."""
    seen = []
    for r in await records_of(bootstrap, topic):
        headers = h.decode_headers(r.headers)
        seen.append(
            Seen(
                r.partition,
                r.offset,
                (r.key or b"").decode(errors="replace"),
                headers.get(h.EVENT_ID),
                r.value,
                headers,
            )
        )
    return seen


def decoded(records: list[Seen], registry: Registry) -> list[Seen]:
    """The records that are events, decoded as a consumer would; the others are left out."""
    decoder = Decoder(registry)
    out = []
    for r in records:
        try:
            d = decoder.decode(r.event, r.headers)
        except PoisonMessage:
            continue
        out.append(Seen(r.partition, r.offset, r.key, str(d.envelope.event_id), d.event, r.headers))
    return out


def first_of_each(records: list[Seen]) -> list[Seen]:
    """The relay may publish a row twice (at-least-once); consumers deduplicate on the event id."""
    ids: set[str] = set()
    out = []
    for r in records:
        if r.event_id in ids:
            continue
        ids.add(r.event_id or "")
        out.append(r)
    return out


def sold_twice(units: list[Seen]) -> int:
    """Units that went to `sold` more than once (each event counted once: dedupe first)."""
    sold: Counter[str] = Counter()
    for r in units:
        if isinstance(r.event, stock.UnitStatusChanged) and r.event.status == "sold":
            sold[r.event.unit_id] += 1
    return sum(1 for n in sold.values() if n > 1)


def order_breaks(units: list[Seen], notes: list[str]) -> int:
    """Per unit, in offset order (one key, one partition), each change starts where the one
    before it ended; a republished duplicate (same event id) is skipped, as consumers do."""
    breaks = 0
    status: dict[str, str | None] = {}
    ids: set[str] = set()
    for r in sorted(units, key=lambda r: (r.partition, r.offset)):
        if not isinstance(r.event, stock.UnitStatusChanged) or r.event_id in ids:
            continue
        ids.add(r.event_id or "")
        unit = r.event.unit_id
        if unit in status and r.event.previous_status != status[unit]:
            breaks += 1
            if breaks <= 5:
                notes.append(
                    f"order break on {unit} at {r.partition}/{r.offset}: {status[unit]} then "
                    f"{r.event.previous_status}->{r.event.status}"
                )
        status[unit] = r.event.status
    return breaks


@dataclass
class Summary:
    seed: int
    scale: float
    rows: list[tuple[str, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, what: str, count: int, kind: str = "wrong") -> None:
        self.rows.append((what, count, kind))

    @property
    def wrong(self) -> dict[str, int]:
        return {what: n for what, n, kind in self.rows if kind == "wrong" and n}

    def table(self) -> str:
        width = max(len(what) for what, _, _ in self.rows)
        lines = [f"| {'check':<{width}} | {'count':>7} | kind     |", f"|{'-' * (width + 2)}|{'-' * 9}|----------|"]
        lines += [f"| {what:<{width}} | {n:>7} | {kind:<8} |" for what, n, kind in self.rows]
        return "\n".join(lines)


class Checker:
    def __init__(self, day: Day, expected: Expected, driver: Driver, bootstrap: str, namespace: str) -> None:
        self.day = day
        self.expected = expected
        self.driver = driver
        self.bootstrap = bootstrap
        self.namespace = namespace
        self.registry = REGISTRY.namespaced(namespace)

    def topic(self, spec: TopicSpec) -> str:
        return self.registry.same_topic(spec).name

    async def distinct_events(self, spec: TopicSpec) -> list[Seen]:
        """The topic's events, decoded, each once (the first copy of each event id)."""
        return first_of_each(decoded(await read_whole_topic(self.bootstrap, self.topic(spec)), self.registry))

    async def settle(self, databases: dict[str, str], timeout: float = 300) -> float:
        """Wait until every outbox is published and the topics stop growing; returns how long it took."""
        started = time.monotonic()
        watched = [self.topic(t) for t in (sales.TRANSACTIONS, stock.SALE_ALLOCATIONS, stock.UNITS)]
        last: tuple[int, ...] = ()
        while time.monotonic() - started < timeout:
            pending = sum([await _pending(url) for url in databases.values()])
            sizes = tuple([len(await read_whole_topic(self.bootstrap, t)) for t in watched])
            if pending == 0 and sizes == last:
                break
            last = sizes
            await asyncio.sleep(10)
        return time.monotonic() - started

    async def check(self, summary: Summary, databases: dict[str, str]) -> None:
        e, sent = self.expected, self.driver.sent
        summary.add("business events generated", self.day.business_events, "expected")

        everything = decoded(await read_whole_topic(self.bootstrap, self.topic(sales.TRANSACTIONS)), self.registry)
        recorded = first_of_each(everything)
        summary.add("events read back from sales.transactions (distinct)", len(recorded), "seen")
        summary.add("  of them published more than once (same event id)", len(everything) - len(recorded), "seen")
        sales_by_txn: dict[str, list[Seen]] = defaultdict(list)
        sales_by_id: dict[str, list[Seen]] = defaultdict(list)
        returns_by_txn: Counter[str] = Counter()
        for r in recorded:
            if isinstance(r.event, sales.SaleRecorded):
                sales_by_id[r.event.sale_id].append(r)
                if r.event.pos_transaction_id:
                    sales_by_txn[r.event.pos_transaction_id].append(r)
            elif isinstance(r.event, sales.ReturnRecorded):
                returns_by_txn[r.event.return_id] += 1
        summary.add("shop sales sent", len(e.shop_sales), "expected")
        summary.add("shop sales lost (no SaleRecorded)", sum(1 for t in e.shop_sales if not sales_by_txn.get(t)))
        summary.add("shop sales recorded twice", sum(1 for t in e.shop_sales if len(sales_by_txn.get(t, [])) > 1))
        summary.add("online orders planned", e.online_orders, "expected")
        summary.add("online orders not placed (driver gave up)", e.online_orders - len(sent.orders))
        orders = set(sent.orders.values())
        summary.add("online sales lost (no SaleRecorded)", sum(1 for o in orders if not sales_by_id.get(o)))
        summary.add("online sales recorded twice", sum(1 for o in orders if len(sales_by_id.get(o, [])) > 1))
        summary.add("shop returns sent", len(e.shop_returns), "expected")
        summary.add(
            "shop returns not recorded",
            sum(1 for t in e.shop_returns if sent.pos_outcomes.get(t) not in ("recorded", "duplicate")),
        )

        allocations = first_of_each(
            decoded(await read_whole_topic(self.bootstrap, self.topic(stock.SALE_ALLOCATIONS)), self.registry)
        )
        summary.add("events read back from inventory.sale-allocations (distinct)", len(allocations), "seen")
        allocated: Counter[str] = Counter(
            r.event.sale_id for r in allocations if isinstance(r.event, stock.SaleAllocated)
        )
        expected_sales = {r.event.sale_id for rs in sales_by_txn.values() for r in rs} | orders
        summary.add("sales not applied by inventory", sum(1 for s in expected_sales if allocated[s] == 0))
        summary.add("sales applied twice by inventory", sum(1 for s in expected_sales if allocated[s] > 1))

        units = decoded(await read_whole_topic(self.bootstrap, self.topic(stock.UNITS)), self.registry)
        summary.add("events read back from inventory.units (distinct)", len(first_of_each(units)), "seen")
        summary.add("units sold twice", sold_twice(first_of_each(units)))
        summary.add("per-key order breaks (unit status chain)", order_breaks(units, summary.notes))
        await self._stock(summary)
        await self._crm(summary)
        await check_trade_ins(self, summary)
        await check_vouchers(self, summary)
        await check_repairs(self, summary)
        await self._malformed(summary)
        await self._holds(summary, databases)

    async def _holds(self, summary: Summary, databases: dict[str, str]) -> None:
        """Keys held behind a dead letter at the end. The malformed records have keys of their
        own, so a hold on one of them holds nothing; an event held is an event not applied."""
        keys, held = 0, 0
        for service, url in databases.items():
            conn = await asyncpg.connect(url)
            try:
                if await conn.fetchval("SELECT to_regclass('consumer_key_holds') IS NULL"):
                    continue
                for row in await conn.fetch(
                    "SELECT h.consumer, h.topic, h.message_key, count(e.id) AS held FROM consumer_key_holds h "
                    "LEFT JOIN consumer_held_events e USING (consumer, topic, message_key) "
                    "GROUP BY h.consumer, h.topic, h.message_key"
                ):
                    keys += 1
                    held += int(row["held"])
                    if row["held"]:
                        summary.notes.append(
                            f"{service}: {row['consumer']} holds {row['held']} events of key "
                            f"{row['message_key']} on {row['topic']}"
                        )
            finally:
                await conn.close()
        parked = 0
        for service, url in databases.items():
            rows = await _parked(url)
            parked += len(rows)
            for row in rows[:3]:
                summary.notes.append(
                    f"{service}: outbox row parked ({row['topic']} {row['message_key']}): {row['last_error']}"
                )
        summary.add("outbox rows parked (never published)", parked)
        for service, url in databases.items():
            conn = await asyncpg.connect(url)
            try:
                epoch = await conn.fetchval("SELECT max(epoch) FROM outbox_relay_lease")
            finally:
                await conn.close()
            summary.notes.append(f"{service}: relay lease epoch at the end {epoch} (each takeover adds one)")
        summary.add("keys held behind a dead letter at the end", keys, "seen")
        summary.add("events held behind a dead letter at the end", held)

    async def _stock(self, summary: Summary) -> None:
        wrong, off_by = 0, 0
        skus = [*self.day.devices, *self.day.accessories]
        availability = await self.driver.read_all("inventory", [f"/availability/{sku}" for sku in skus])
        for sku in skus:
            answer = availability[f"/availability/{sku}"]
            shown = {x["location_id"]: x["available"] for x in answer["by_location"]}
            for (s, location), want in self.expected.available.items():
                if s == sku and shown.get(location, 0) != want:
                    wrong += 1
                    off_by += abs(shown.get(location, 0) - want)
                    if wrong <= 5:
                        summary.notes.append(f"stock of {sku} at {location}: {shown.get(location, 0)}, expected {want}")
        summary.add("stock counts wrong (sku x location)", wrong)
        summary.add("units/items of stock off, in total", off_by)
        statuses: Counter[str] = Counter()
        handed_wrong = 0
        units = await self.driver.read_all(
            "inventory", [f"/units/{self.driver.unit_id(index)}" for index in self.expected.handed_over]
        )
        for index, txn in self.expected.handed_over.items():
            unit = units[f"/units/{self.driver.unit_id(index)}"]
            statuses[unit["status"]] += 1
            if unit["status"] not in ("sold", "returned"):
                handed_wrong += 1
                if handed_wrong <= 5:
                    summary.notes.append(f"unit {unit['unit_id']} handed over by {txn} is {unit['status']}")
        summary.add("units handed over in shops not sold/returned", handed_wrong)
        summary.notes.append(f"units handed over in shops, by status now: {dict(statuses)}")

    async def _crm(self, summary: Summary) -> None:
        purchases: dict[str, set[str]] = defaultdict(set)
        for order, customer in self.driver.sent.order_customers.items():
            purchases[customer].add(order)
        missing = 0
        care = {"X-Purpose": "fault suite"}
        for customer, wanted in purchases.items():
            answer = await self.driver.call(
                "crm",
                "GET",
                "/profiles",
                params={"account_id": customer},
                accept=(200, 404),
                headers=self.driver.staff | care,
            )
            if answer.status_code == 404:
                missing += len(wanted)
                continue
            profile = (
                await self.driver.call(
                    "crm", "GET", f"/profiles/{answer.json()['profile_id']}", headers=self.driver.staff | care
                )
            ).json()
            seen = {x.get("sale_id") for x in profile["timeline"] if x.get("kind") == "purchase"}
            missing += len(wanted - seen)
        summary.add("online customers checked in CRM", len(purchases), "seen")
        summary.add("purchases missing from CRM timelines", missing)

    async def _malformed(self, summary: Summary) -> None:
        sent = self.driver.sent
        http = [m for m in self.day.malformed if m.channel in ("pos-body", "checkout-body")]
        summary.add("malformed HTTP bodies sent", len(http), "expected")
        summary.add(
            "malformed HTTP bodies not refused with 4xx",
            sum(1 for m in http if not 400 <= sent.malformed_answers.get(m.key, 0) < 500),
        )
        kafka = [m for m in self.day.malformed if m.channel.startswith("kafka-")]
        bad_keys = {m.key for m in kafka}
        transactions = self.topic(sales.TRANSACTIONS)
        reasons: dict[str, set[str]] = defaultdict(set)
        others: list[tuple[str, Seen]] = []
        for topic in await self._dead_letter_topics():
            for r in await read_whole_topic(self.bootstrap, topic):
                if topic == f"{transactions}.dlq" and r.key in bad_keys:
                    if r.headers.get(DLQ_REASON):
                        reasons[r.key].add(r.headers.get(DLQ_CONSUMER, "?"))
                else:
                    others.append((topic, r))
        summary.add("malformed records published to Kafka", len(sent.malformed_published), "expected")
        summary.add(
            "malformed records in no dead letter with a reason", sum(1 for m in kafka if not reasons.get(m.key))
        )
        consumers = Counter(c for m in kafka for c in reasons.get(m.key, ()))
        summary.notes.append(f"dead letters of malformed records, by consumer: {dict(consumers)}")
        summary.add("good events dead-lettered (any topic)", len(others))
        for topic, r in others[:5]:
            summary.notes.append(
                f"dead letter on {topic} key {r.key}: {r.headers.get(DLQ_CONSUMER)}: "
                f"{r.headers.get(DLQ_REASON, '')[:300]}"
            )

    async def _dead_letter_topics(self) -> list[str]:
        admin = admin_client(self.bootstrap)
        await admin.start()
        try:
            topics = await admin.list_topics()
        finally:
            await admin.close()
        return sorted(t for t in topics if t.startswith(f"{self.namespace}.") and t.endswith(".dlq"))


async def _pending(database_url: str) -> int:
    """Outbox rows still to publish; a parked row waits for an operator, not for time."""
    try:
        conn = await asyncpg.connect(database_url)
    except (OSError, asyncpg.PostgresError):
        return 1
    try:
        return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NULL"))
    finally:
        await conn.close()


async def _parked(database_url: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(database_url)
    try:
        return list(
            await conn.fetch(
                "SELECT topic, message_key, last_error FROM outbox "
                "WHERE parked_at IS NOT NULL AND discarded_at IS NULL AND published_at IS NULL ORDER BY id"
            )
        )
    finally:
        await conn.close()
