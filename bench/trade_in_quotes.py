"""Quote API bench: customers quoting their devices, `POST /quotes` with their own tokens, against
`python -m trade_in` served over real HTTP (`TradeInProcess`).

`concurrency` clients, each its own HTTP connection as each shopper's browser is, quote back to
back for `seconds`; every client speaks for a pool of customers in turn. Half the quotes name an
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
    p50_ms: float
    p99_ms: float
    failures: int
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
                "load",
                f"{self.concurrency} concurrent clients, {self.customers:,} customers, {self.seconds:,.0f} s",
                "",
                "",
            ),
            (
                "quotes answered 201",
                f"{self.rate:,.0f}/s",
                f">= {TARGET_RATE:,}/s",
                _verdict(self.rate >= TARGET_RATE and not self.failures),
            ),
            ("  quotes / failed", f"{self.quotes:,} / {self.failures:,}", "none failed", _verdict(not self.failures)),
            (
                "latency p50 / p99",
                f"{self.p50_ms:,.1f} / {self.p99_ms:,.1f} ms",
                f"p99 < {TARGET_P99_MS} ms",
                _verdict(self.p99_ms < TARGET_P99_MS),
            ),
            *[(f"  CPU per quote: {part}", f"{us:,.0f} us", "", "") for part, us in self.cpu_us_per_quote.items()],
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
    endpoints: Endpoints, *, seconds: float = 15, concurrency: int = 20, customers: int = 200
) -> QuoteFigures:
    """Quotes back to back from `concurrency` clients for `seconds`."""
    service = TradeInProcess(endpoints)
    await service.start()
    try:
        await _grid(service)
        tokens = [service.customer(f"bench-customer-{n:05d}") for n in range(customers)]
        numbers = itertools.count()
        latencies: list[float] = []
        failures: list[str] = []
        clients = [httpx.AsyncClient(base_url=service.url, timeout=30) for _ in range(concurrency)]

        async def shopper(client: httpx.AsyncClient, stop_at: float) -> None:
            while time.monotonic() < stop_at:
                n = next(numbers)
                sent = time.perf_counter()
                answer = await client.post("/quotes", json=_quote(n), headers=tokens[n % customers])
                latencies.append((time.perf_counter() - sent) * 1000)
                if answer.status_code != 201:
                    failures.append(f"{answer.status_code}: {answer.text[:200]}")

        cpu_before = cpu_seconds(service.pids())
        started = time.monotonic()
        try:
            await asyncio.gather(*(shopper(client, started + seconds) for client in clients))
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(service.pids())
    finally:
        service.stop()
    quotes = len(latencies) - len(failures)
    if failures:
        print(f"  {len(failures)} quotes failed, e.g. {failures[0]}", flush=True)
    return QuoteFigures(
        quotes=quotes,
        seconds=elapsed,
        concurrency=concurrency,
        customers=customers,
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        failures=len(failures),
        cpu_us_per_quote={k: (cpu_after[k] - cpu_before[k]) * 1e6 / max(quotes, 1) for k in cpu_before},
    )
