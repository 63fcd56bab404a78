"""Quote API bench: customers quoting their devices, `POST /quotes` with their own tokens, against
`python -m trade_in` served over real HTTP (`TradeInProcess`).

Two phases. Saturation: `concurrency` clients, each its own HTTP connection as each shopper's
browser is, quote back to back for `seconds` (the most the service answers). Then a fixed rate:
quotes are sent on schedule at the target rate whatever the answers' pace, and each latency is
measured from when its quote was due, so queueing behind a slow service counts (no coordinated
omission). Every client speaks for a pool of customers in turn. Half the quotes name an
IMEI (a fresh one each: one device is in one open trade-in), so the soft deny-list check and the
one-open-trade-in index are on the path; the other half give none. Every quote must answer 201.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.common import percentile
from bench.foundation import cpu_seconds
from bench.http_load import Connection, at_a_fixed_rate
from bench.trade_in_service import TradeInProcess
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import luhn_imei

TARGET_RATE = 500
TARGET_P99_MS = 50
GRADES = ("excellent", "very_good", "good", "fair")


@dataclass
class QuoteFigures:
    quotes: int
    seconds: float
    concurrency: int
    customers: int
    failures: int
    offered_rate: float
    """Quotes per second sent on a fixed schedule, whatever the answers' pace (open loop)."""
    at_rate_quotes: int
    p50_ms: float
    p99_ms: float
    """At `offered_rate`, from the moment each quote was due to be sent: waiting for a free
    connection counts, so a service that falls behind shows it."""
    cpu_us_per_quote: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.quotes / self.seconds

    @property
    def met(self) -> bool:
        return self.rate >= TARGET_RATE and self.p99_ms < TARGET_P99_MS and not self.failures

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (
                "saturation",
                f"{self.concurrency} clients back to back, {self.customers:,} customers, {self.seconds:,.0f} s",
                "",
                "",
            ),
            (
                "quotes answered 201",
                f"{self.rate:,.0f}/s",
                f">= {TARGET_RATE:,}/s",
                _verdict(self.rate >= TARGET_RATE and not self.failures),
            ),
            (
                "  quotes / failed",
                f"{self.quotes + self.at_rate_quotes:,} / {self.failures:,}",
                "none failed",
                _verdict(not self.failures),
            ),
            *[(f"  CPU per quote: {part}", f"{us:,.0f} us", "", "") for part, us in self.cpu_us_per_quote.items()],
            (
                "at a fixed rate",
                f"{self.offered_rate:,.0f} quotes/s sent on schedule, {self.at_rate_quotes:,} quotes",
                "",
                "",
            ),
            (
                "  latency p50 / p99",
                f"{self.p50_ms:,.1f} / {self.p99_ms:,.1f} ms",
                f"p99 < {TARGET_P99_MS} ms",
                _verdict(self.p99_ms < TARGET_P99_MS),
            ),
        ]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


async def _grid(service: TradeInProcess) -> None:
    """The iPhone 13 128 GB in France at every grade, so any declared grade has a price."""
    async with httpx.AsyncClient(base_url=service.url, headers=service.staff("trade-in:pricing")) as client:
        for n, grade in enumerate(GRADES):
            body = {
                "price": {"amount_minor": 40000 - 5000 * n, "currency": "EUR"},
                "floor": {"amount_minor": 5000, "currency": "EUR"},
                "released_on": "2021-09-24",
                "monthly_decay_bps": 100,
            }
            (await client.put(f"/price-grid/FR/iphone-13/128/{grade}", json=body)).raise_for_status()


def _quote(n: int) -> dict[str, Any]:
    return {
        "market": "FR",
        "model_family": "iphone-13",
        "storage_gb": 128,
        "category": "smartphone",
        "identifier": {"kind": "imei", "value": luhn_imei(10**10 + n)} if n % 2 == 0 else None,
        "declared_grade": GRADES[n % len(GRADES)],
        "answers": {
            "screen": "light_scratches",
            "body": "flawless",
            "battery_health_pct": 88,
            "powers_on": True,
            "functional_checks_passed": True,
            "activation_lock_removed": True,
        },
    }


async def quote_api(
    endpoints: Endpoints,
    *,
    seconds: float = 15,
    concurrency: int = 20,
    customers: int = 200,
    rate: float = TARGET_RATE,
) -> QuoteFigures:
    """How many quotes the service answers when pushed (`concurrency` clients back to back for
    `seconds`), then how fast it answers them at `rate` quotes/s sent on schedule (for `seconds`)."""
    service = TradeInProcess(endpoints)
    await service.start()
    try:
        await _grid(service)
        tokens = [service.customer(f"bench-customer-{n:05d}") for n in range(customers)]
        numbers = itertools.count()
        failures: list[str] = []

        async def one_quote(connection: Connection) -> None:
            n = next(numbers)
            answer = await connection.post_json("/quotes", _quote(n), tokens[n % customers])
            if answer.status != 201:
                failures.append(f"{answer.status}: {answer.body[:200]!r}")

        # Saturation: each client, its own connection as each shopper's browser has, back to back.
        connections = [Connection(service.url) for _ in range(concurrency)]
        answered = 0

        async def shopper(connection: Connection, stop_at: float) -> None:
            nonlocal answered
            while time.monotonic() < stop_at:
                await one_quote(connection)
                answered += 1

        cpu_before = cpu_seconds(service.pids())
        started = time.monotonic()
        await asyncio.gather(*(shopper(connection, started + seconds) for connection in connections))
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(service.pids())

        # At a fixed rate: each quote is sent when it is due, on whichever connection is free.
        latencies = await at_a_fixed_rate(connections, rate, seconds, lambda: one_quote)
        await asyncio.gather(*(connection.close() for connection in connections))
    finally:
        service.stop()
    if failures:
        print(f"  {len(failures)} quotes failed, e.g. {failures[0]}", flush=True)
    return QuoteFigures(
        quotes=answered,
        seconds=elapsed,
        concurrency=concurrency,
        customers=customers,
        failures=len(failures),
        offered_rate=rate,
        at_rate_quotes=len(latencies),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        cpu_us_per_quote={k: (cpu_after[k] - cpu_before[k]) * 1e6 / max(answered, 1) for k in cpu_before},
    )
