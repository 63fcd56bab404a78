"""Voucher redemptions bench: shop sales paid with a few hot vouchers, through `SaleRecorded`, into
trade-in's ledger, and out as `VoucherRedeemed` / `VoucherOverdrawn`.

trade-in runs as its own process (`TradeInProcess`). The bench issues the vouchers through the
staff API (so it holds their codes, as a customer would), then plays the tills: it publishes the
sales on the namespaced `sales.transactions.v1` as store-sync does, every sale paying part of its
basket with one of the hot vouchers, round robin, so each voucher's row is fought over by sales on
every partition. Each voucher is worth less than its sales want: it runs out part way and the
sales after that are told as overdrawn (an offline till accepted a spent voucher).

The clock runs from the first sale published to the last sale's outcome event on the vouchers
topic (end to end: consumer, ledger, outbox, relay). At the end the ledger is read straight from
the database: no voucher may have redeemed more than it was issued for.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import kafka_options, percentile
from bench.foundation import cpu_seconds
from bench.trade_in_service import TradeInProcess
from reloop_contracts import REGISTRY, NonNegativeMoney, Registry
from reloop_contracts import sales as sales_topics
from reloop_contracts import trade_in as trade_in_topics
from reloop_contracts.envelope import CONTENT_TYPE
from reloop_contracts.sales import PaymentLine, SaleLine, SaleRecorded
from reloop_localstack.stack import Endpoints
from reloop_shared.messaging.codec import decode, encode, envelope_for

SHOP = "bench-shop"
BASKET = 2990
"""Each sale: one accessory at 29.90 EUR, paid 10.00 EUR by voucher and the rest by card."""
BY_VOUCHER = 1000
TARGET_RATE = 1000


@dataclass
class RedemptionFigures:
    sales: int
    vouchers: int
    seconds: float
    redeemed_events: int
    overdrawn_events: int
    p50_ms: float
    p99_ms: float
    issued_minor: dict[str, int]
    redeemed_minor: dict[str, int]
    """Per voucher, what its ledger's redeem entries add up to."""
    lowest_balance_minor: int
    events_agree: bool
    """The redeemed amounts told on the topic equal the ledger's, voucher by voucher."""
    running_balances_agree: bool
    """Each voucher's running balance (`vouchers.balance_minor`) is the sum of its ledger."""
    cpu_us_per_sale: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.sales / self.seconds

    @property
    def over_redeemed(self) -> list[str]:
        return [v for v, issued in self.issued_minor.items() if self.redeemed_minor.get(v, 0) > issued]

    @property
    def met(self) -> bool:
        return self.rate >= TARGET_RATE and self.consistent

    @property
    def consistent(self) -> bool:
        return (
            not self.over_redeemed
            and self.lowest_balance_minor >= 0
            and self.events_agree
            and self.running_balances_agree
        )

    def rows(self) -> list[tuple[str, str, str, str]]:
        issued, redeemed = sum(self.issued_minor.values()), sum(self.redeemed_minor.values())
        return [
            (
                "load",
                f"{self.sales:,} sales on {self.vouchers} hot vouchers, each running out part way",
                "",
                "",
            ),
            (
                "voucher payments applied end to end (sale -> ledger -> event)",
                f"{self.rate:,.0f}/s",
                f">= {TARGET_RATE:,}/s",
                _verdict(self.rate >= TARGET_RATE),
            ),
            ("  redeemed / overdrawn (events)", f"{self.redeemed_events:,} / {self.overdrawn_events:,}", "", ""),
            (
                "  latency p50 / p99 (sale published -> outcome on Kafka)",
                f"{self.p50_ms:,.0f} / {self.p99_ms:,.0f} ms",
                "",
                "",
            ),
            (
                "over-redeemed vouchers (ledger: redeemed > issued)",
                f"{len(self.over_redeemed)} of {self.vouchers}",
                "0",
                _verdict(not self.over_redeemed),
            ),
            (
                "  issued / redeemed in total",
                f"{issued / 100:,.2f} / {redeemed / 100:,.2f} EUR",
                "",
                "",
            ),
            (
                "  lowest balance / topic agrees with the ledger",
                f"{self.lowest_balance_minor / 100:,.2f} EUR / {'yes' if self.events_agree else 'NO'}",
                ">= 0 / yes",
                _verdict(self.lowest_balance_minor >= 0 and self.events_agree),
            ),
            (
                "  running balance = sum of the ledger, every voucher",
                "yes" if self.running_balances_agree else "NO",
                "yes",
                _verdict(self.running_balances_agree),
            ),
            *[(f"  CPU per sale: {part}", f"{us:,.0f} us", "", "") for part, us in self.cpu_us_per_sale.items()],
        ]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


async def _issue(service: TradeInProcess, count: int, amount_minor: int) -> dict[str, str]:
    """`count` vouchers worth `amount_minor` each, through the staff API: their codes by voucher id."""
    codes = {}
    async with httpx.AsyncClient(base_url=service.url, headers=service.staff("trade-in:vouchers")) as client:
        for _ in range(count):
            body = {"market": "FR", "amount": {"amount_minor": amount_minor, "currency": "EUR"}}
            answer = await client.post("/vouchers", json=body)
            answer.raise_for_status()
            codes[answer.json()["voucher_id"]] = answer.json()["code"]
    return codes


def _sale(code: str) -> SaleRecorded:
    def eur(minor: int) -> NonNegativeMoney:
        return NonNegativeMoney(amount_minor=minor, currency="EUR")

    return SaleRecorded(
        sale_id=f"till-{uuid.uuid4().hex}",
        channel="own_shop",
        location_id=SHOP,
        market="FR",
        sold_at=datetime.now(UTC),
        lines=[SaleLine(line_id="1", kind="accessory", sku="CHG-USB-C-20W", quantity=1, unit_price=eur(BASKET))],
        payments=[
            PaymentLine(method="voucher", amount=eur(BY_VOUCHER), voucher_code=code),
            PaymentLine(method="card", amount=eur(BASKET - BY_VOUCHER)),
        ],
        total=eur(BASKET),
    )


async def _publish(endpoints: Endpoints, registry: Registry, codes: list[str], sales: int) -> dict[str, float]:
    """The tills' sales, flat out, with the headers an outbox sets: when each was sold, by sale id."""
    producer = AIOKafkaProducer(
        bootstrap_servers=endpoints.kafka_bootstrap_servers,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        **kafka_options(),
    )
    topic = registry.same_topic(sales_topics.TRANSACTIONS).name
    sold_at: dict[str, float] = {}
    await producer.start()
    try:
        pending = []
        for n in range(sales):
            sale = _sale(codes[n % len(codes)])
            envelope = envelope_for(sale, producer="store-sync")
            headers = [
                ("content-type", CONTENT_TYPE.encode()),
                ("event-type", b"SaleRecorded"),
                ("schema-version", b"1"),
                ("event-id", str(envelope.event_id).encode()),
            ]
            sold_at[sale.sale_id] = time.time()
            key = sale.sale_id.encode()
            pending.append(await producer.send(topic, encode(envelope), key=key, headers=headers))
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sold_at


class _Outcomes:
    """Reads the vouchers topic from the start: when each sale's outcome came out, and the amounts
    redeemed per voucher as the events tell them."""

    def __init__(self, bootstrap: str, registry: Registry) -> None:
        self.registry = registry
        self.consumer = AIOKafkaConsumer(
            registry.same_topic(trade_in_topics.VOUCHERS).name,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            **kafka_options(),
        )
        self.settled_at: dict[str, float] = {}
        self.redeemed = 0
        self.overdrawn = 0
        self.redeemed_minor: dict[str, int] = {}

    async def until(self, sales: int, timeout: float) -> None:
        await self.consumer.start()
        deadline = time.monotonic() + timeout
        try:
            while len(self.settled_at) < sales and time.monotonic() < deadline:
                batch = await self.consumer.getmany(timeout_ms=200, max_records=5000)
                now = time.time()
                for records in batch.values():
                    for record in records:
                        self._read(record.value or b"", now)
        finally:
            await self.consumer.stop()
        if len(self.settled_at) < sales:
            raise RuntimeError(f"only {len(self.settled_at):,} of {sales:,} sales settled within {timeout:.0f} s")

    def _read(self, value: bytes, now: float) -> None:
        event = decode(value, self.registry).event
        if isinstance(event, trade_in_topics.VoucherRedeemed):
            self.redeemed += 1
            minor = self.redeemed_minor.get(event.voucher_id, 0)
            self.redeemed_minor[event.voucher_id] = minor + event.amount.amount_minor
            self.settled_at.setdefault(event.sale_id, now)
        elif isinstance(event, trade_in_topics.VoucherOverdrawn):
            self.overdrawn += 1
            self.settled_at.setdefault(event.sale_id, now)


async def _ledger(database_url: str) -> tuple[dict[str, int], dict[str, int], int, bool]:
    """Straight from trade-in's tables: issued and redeemed per voucher, the lowest balance, and
    whether every running balance is its ledger's sum."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            """
            SELECT v.voucher_id, v.amount_minor, v.balance_minor,
                   COALESCE(SUM(e.amount_minor) FILTER (WHERE e.kind = 'redeem'), 0)::bigint AS redeemed,
                   SUM(CASE WHEN e.kind IN ('issue', 'release') THEN e.amount_minor
                            ELSE -e.amount_minor END)::bigint AS balance
            FROM vouchers v JOIN voucher_entries e ON e.voucher_id = v.voucher_id
            GROUP BY v.voucher_id
            """
        )
    finally:
        await conn.close()
    issued = {r["voucher_id"]: r["amount_minor"] for r in rows}
    redeemed = {r["voucher_id"]: r["redeemed"] for r in rows}
    agree = all(r["balance_minor"] == r["balance"] for r in rows)
    return issued, redeemed, min((r["balance"] for r in rows), default=0), agree


async def voucher_redemptions(
    endpoints: Endpoints, sales: int = 20_000, *, vouchers: int = 20, runs_out_at: float = 0.8
) -> RedemptionFigures:
    """`sales` shop sales paying `BY_VOUCHER` each with one of `vouchers` hot vouchers; each
    voucher is worth `runs_out_at` of what its sales want, so the last of them overdraw it."""
    per_voucher = sales // vouchers
    amount = max(1, int(per_voucher * BY_VOUCHER * runs_out_at) + BY_VOUCHER // 2)  # one sale is part paid
    service = TradeInProcess(endpoints)
    registry = REGISTRY.namespaced(service.namespace)
    await service.start()
    try:
        codes = await _issue(service, vouchers, amount)
        outcomes = _Outcomes(endpoints.kafka_bootstrap_servers, registry)
        cpu_before = cpu_seconds(service.pids())
        started = time.time()
        sold_at = await _publish(endpoints, registry, list(codes.values()), per_voucher * vouchers)
        await outcomes.until(len(sold_at), timeout=900)
        cpu_after = cpu_seconds(service.pids())
        issued, redeemed, lowest, balances_agree = await _ledger(service.database_url)
    finally:
        service.stop()
    latencies = [(at - sold_at[sale]) * 1000 for sale, at in outcomes.settled_at.items() if sale in sold_at]
    return RedemptionFigures(
        sales=len(sold_at),
        vouchers=vouchers,
        seconds=max(outcomes.settled_at.values()) - started,
        redeemed_events=outcomes.redeemed,
        overdrawn_events=outcomes.overdrawn,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        issued_minor=issued,
        redeemed_minor=redeemed,
        lowest_balance_minor=lowest,
        events_agree=all(outcomes.redeemed_minor.get(v, 0) == redeemed.get(v, 0) for v in issued),
        running_balances_agree=balances_agree,
        cpu_us_per_sale={k: (cpu_after[k] - cpu_before[k]) * 1e6 / len(sold_at) for k in cpu_before},
    )
