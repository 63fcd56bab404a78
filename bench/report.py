"""Collects figures as they are measured, prints them, and renders bench/RESULTS.md."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.baseline import Baseline
from bench.crm import TARGET_RATE, TARGET_RSS_MB, ReplaySpeed
from bench.foundation import PathFigures
from bench.growth import GrowthPoint
from bench.kafka_tools import ToolCeiling
from bench.profiles import PathProfile
from bench.repair_renewals import RenewalFigures
from bench.repair_tickets import TicketFigures
from bench.sales import SalesFigures
from bench.store_sync import POS_TARGET_BATCHED, POS_TARGET_PER_REQUEST, StoreSyncFigures
from bench.trade_in_quotes import QuoteFigures
from bench.voucher_redemptions import RedemptionFigures

COMMITTED_TARGET = 12_000
"""Events/s through outbox -> relay -> Kafka -> idempotent consumer, on the 2-core machine."""
SALES_TARGET = 4_000
"""Shop sales/s applied by inventory, its availability event out."""
WINDOW_TARGET_MS = 250
"""Sold in a shop, still shown online: p99 at 200 sales/s."""
RSS_TARGET_MB = 200
"""Peak resident memory of any one service process."""


@dataclass
class HalfRate:
    """A path's end-to-end latency at half the rate it reached flat out earlier in the run."""

    path: str
    maximum: float
    offered: float
    achieved: float
    p50_ms: float
    p99_ms: float
    measured: str
    """From what to what the latency runs."""


def spread(values: list[float]) -> tuple[float, float, float]:
    """Min, median and max (for an even count, the mean of the middle two)."""
    if not values:
        return (float("nan"),) * 3
    ordered = sorted(values)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return ordered[0], median, ordered[-1]


def _spread_text(values: tuple[float, float, float], unit: str, digits: int) -> str:
    return " / ".join(f"{v:,.{digits}f}" for v in values) + unit


def cpu_text(per_process: dict[str, float]) -> str:
    """`relay 20 us, consumer 70 us, ...` in the order the processes were named."""
    return ", ".join(f"{role} {us:,.0f} us" for role, us in per_process.items())


def budget_rows(
    cpu_us: Mapping[str, float], rate: float, target: float, service: str | None = "service"
) -> list[tuple[str, str, str, str]]:
    """What a throughput target asks of the machine at the CPU per event this run measured: every
    process of the path (load generator, service, PostgreSQL, broker) shares its cores, and a
    Python service process runs on one core at most. A target whose need is over the cores is
    out of reach until the cost per event falls, whatever the concurrency."""
    cores = os.cpu_count() or 1
    total = sum(cpu_us.values())
    rows = [
        ("  CPU per event, all processes", f"{total:,.0f} us", "", ""),
        (f"  cores busy at that rate (of {cores})", f"{total * rate / 1e6:.2f}", "", ""),
        (f"  cores the target needs at this cost (of {cores})", f"{total * target / 1e6:.2f}", "", ""),
    ]
    if service is not None and service in cpu_us:
        need = cpu_us[service] * target / 1e6
        rows.append(("  the service process at the target (of its 1 core)", f"{need:.2f}", "", ""))
    return rows


def relative(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


def _cell(text: str) -> str:
    """A function name in a markdown table cell: a pipe would split the cell."""
    return text.replace("|", "\\|")


@dataclass
class Report:
    machine: str
    code: str = ""
    baseline: Baseline | None = None
    ceiling: float = 0.0
    """Bare aiokafka produce->consume, records/s: what one Python client does on this broker."""
    tools: ToolCeiling | None = None
    """Kafka's own ProducerPerformance / ConsumerPerformance: what the broker does (None: not run)."""
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = field(default_factory=list)
    took: str = ""
    """How long the whole run took (set at its end)."""

    def line(self, text: str) -> None:
        print(text, flush=True)

    def ratio(self, rate: float) -> str:
        return f"{rate / self.ceiling:.2f}" if self.ceiling else "n/a"

    def tool_ratio(self, rate: float) -> str:
        """Against Kafka's producer tool: a path's share of what the broker takes in, not of one client."""
        return f"{rate / self.tools.producer.records_per_s:.3f}" if self.tools else "n/a"

    def ceiling_rows(self) -> list[tuple[str, str, str, str]]:
        """The three ceilings, as each section repeats them beside its own figures."""
        rows = [("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", "")]
        if self.tools:
            rows += [
                (
                    "Kafka ProducerPerformance, same broker (ceiling)",
                    f"{self.tools.producer.records_per_s:,.0f}/s",
                    "",
                    "",
                ),
                (
                    "Kafka ConsumerPerformance, same broker (ceiling)",
                    f"{self.tools.consumer.records_per_s:,.0f}/s",
                    "",
                    "",
                ),
            ]
        return rows

    def ratio_rows(self, rate: float) -> list[tuple[str, str, str, str]]:
        """Both ratios of a section's figure: to the bare client (as before) and to the producer tool."""
        return [
            ("  ratio to the ceiling", self.ratio(rate), "", ""),
            ("  ratio to Kafka's producer tool", self.tool_ratio(rate), "", ""),
        ]

    def ceilings(self, bare_events: int, bare_value_size: int) -> None:
        """The ceilings measured at the start of the run, in full, before any section uses them."""
        rows = [
            (
                f"bare aiokafka produce->consume ({bare_events:,} x {bare_value_size} B, acks=all, idempotent)",
                f"{self.ceiling:,.0f}/s",
                "",
                "",
            )
        ]
        if self.tools:
            produced, consumed, size = self.tools.producer, self.tools.consumer, self.tools.record_size
            rows += [
                (
                    f"Kafka ProducerPerformance ({produced.records:,} x {size} B, acks=all, idempotent)",
                    f"{produced.records_per_s:,.0f}/s",
                    "",
                    "",
                ),
                ("  throughput", f"{produced.mb_per_s:,.1f} MB/s", "", ""),
                (
                    "  latency avg / p50 / p99 / max",
                    f"{produced.avg_latency_ms:,.0f} / {produced.p50_ms:,.0f} / {produced.p99_ms:,.0f} / "
                    f"{produced.max_latency_ms:,.0f} ms",
                    "",
                    "",
                ),
                (
                    f"Kafka ConsumerPerformance (reading those {consumed.records:,} back)",
                    f"{consumed.records_per_s:,.0f}/s",
                    "",
                    "",
                ),
                ("  throughput", f"{consumed.mb_per_s:,.1f} MB/s", "", ""),
                (
                    "  fetching alone (the group's join left out)",
                    f"{consumed.fetch_records_per_s:,.0f}/s",
                    "",
                    "",
                ),
                ("bare aiokafka / Kafka's producer tool", self.tool_ratio(self.ceiling), "", ""),
            ]
        self.section("Ceilings: what one Python client and Kafka's own tools do on this broker", rows)

    def section(self, title: str, rows: list[tuple[str, str, str, str]]) -> None:
        self.sections.append((title, rows))
        print(f"\n{title}")
        for (name, value, target, verdict), earlier in zip(rows, self._before(title, rows), strict=True):
            before = f"  (before: {earlier})" if self.baseline else ""
            print(f"  {name:<58} {value:>16}  {target:<22} {verdict}{before}")

    def _before(self, title: str, rows: list[tuple[str, str, str, str]]) -> list[str]:
        """The baseline's value of each row (a name repeated in a section matches in order)."""
        if self.baseline is None:
            return ["" for _ in rows]
        seen: dict[str, int] = {}
        values = []
        for name, *_ in rows:
            occurrence = seen.get(name.strip(), 0)
            seen[name.strip()] = occurrence + 1
            values.append(self.baseline.value(title, name, occurrence))
        return values

    def foundation_throughput(self, path: PathFigures, batched_runs: Sequence[PathFigures] = ()) -> None:
        """`path` applies with a per-event handler (an INSERT round trip per event: what a naive
        handler costs); `batched_runs` with one statement per batch, as the real projections do,
        run several times: the committed path's target is judged on their median run (one run on
        this machine varied by a fifth from the next), whose latency and CPU are shown, with the
        spread beside."""
        target = f">= {COMMITTED_TARGET:,}/s"
        batched = sorted(batched_runs, key=lambda run: run.rate)[len(batched_runs) // 2] if batched_runs else None
        rates = spread([run.rate for run in batched_runs])
        self.section(
            "Foundation: outbox -> Kafka -> idempotent consumer (flat out)",
            [
                *self.ceiling_rows(),
                (
                    "events through outbox -> relay -> consumer (committed)",
                    f"{path.rate:,.0f}/s",
                    "(per-event handler)" if batched else target,
                    "" if batched else _verdict(path.rate >= COMMITTED_TARGET),
                ),
                ("ratio path / ceiling", self.ratio(path.rate), "", ""),
                ("ratio path / Kafka's producer tool", self.tool_ratio(path.rate), "", ""),
                *(
                    [
                        (
                            "committed path, batched handler (the target's line)",
                            f"{batched.rate:,.0f}/s",
                            target,
                            _verdict(batched.rate >= COMMITTED_TARGET),
                        ),
                        (
                            f"  runs: min / median / max of {len(batched_runs)}",
                            _spread_text(rates, "/s", 0),
                            "",
                            "",
                        ),
                        ("  ratio batched / ceiling", self.ratio(batched.rate), "", ""),
                        ("  ratio batched / Kafka's producer tool", self.tool_ratio(batched.rate), "", ""),
                        (
                            "  latency p50 / p99 under that load",
                            f"{batched.p50_ms:,.0f} / {batched.p99_ms:,.0f} ms",
                            "",
                            "",
                        ),
                        *[
                            (f"  CPU per event: {name.removeprefix('cpu_us_per_event_')}", f"{value:,.0f} us", "", "")
                            for name, value in batched.extra.items()
                        ],
                    ]
                    if batched
                    else []
                ),
                (
                    "outbox writes alone (100 events per transaction)",
                    f"{path.events / path.write_seconds:,.0f}/s",
                    "",
                    "",
                ),
                ("end-to-end latency p50 / p99 under that load", f"{path.p50_ms:,.0f} / {path.p99_ms:,.0f} ms", "", ""),
                (
                    "consumer peak RSS",
                    f"{path.consumer_peak_rss_mb:,.0f} MB",
                    "< 200 MB",
                    _verdict(path.consumer_peak_rss_mb < 200),
                ),
                *[
                    (f"CPU per event: {name.removeprefix('cpu_us_per_event_')}", f"{value:,.0f} us", "", "")
                    for name, value in path.extra.items()
                ],
            ],
        )

    def foundation_latency(self, steady: PathFigures) -> None:
        self.section(
            "Foundation: end-to-end latency at a steady 1,000 events/s",
            [
                ("events (10 per transaction, paced)", f"{steady.events:,}", "", ""),
                ("achieved rate", f"{steady.rate:,.0f}/s", "", ""),
                ("end-to-end p50 (occurred -> consumer commit)", f"{steady.p50_ms:,.1f} ms", "", ""),
                ("end-to-end p99", f"{steady.p99_ms:,.1f} ms", "< 250 ms", _verdict(steady.p99_ms < 250)),
                (
                    "consumer peak RSS",
                    f"{steady.consumer_peak_rss_mb:,.0f} MB",
                    "< 200 MB",
                    _verdict(steady.consumer_peak_rss_mb < 200),
                ),
            ],
        )

    def sales(self, flat: SalesFigures, split: SalesFigures, window: SalesFigures) -> None:
        cpu = ", ".join(f"{k} {v:,.0f} us" for k, v in flat.cpu_us_per_sale.items())
        self.section(
            "Sales: SaleRecorded -> inventory committed -> availability event out",
            [
                *self.ceiling_rows(),
                (
                    "shop sales applied, relay in the inventory process",
                    f"{flat.rate:,.0f}/s",
                    f">= {SALES_TARGET:,}/s",
                    _verdict(flat.rate >= SALES_TARGET),
                ),
                *self.ratio_rows(flat.rate),
                ("  latency p50 / p99 under that load", f"{flat.p50_ms:,.0f} / {flat.p99_ms:,.0f} ms", "", ""),
                ("  CPU per sale", cpu, "", ""),
                *budget_rows(flat.cpu_us_per_sale, flat.rate, SALES_TARGET),
                (
                    "shop sales applied, relay as its own process (`reloop relay`)",
                    f"{split.rate:,.0f}/s",
                    f">= {SALES_TARGET:,}/s",
                    _verdict(split.rate >= SALES_TARGET),
                ),
                *self.ratio_rows(split.rate),
                ("  latency p50 / p99 under that load", f"{split.p50_ms:,.0f} / {split.p99_ms:,.0f} ms", "", ""),
                (
                    f"sold in a shop, still shown online: p50 / p99 at {window.rate:,.0f} sales/s",
                    f"{window.p50_ms:,.0f} / {window.p99_ms:,.0f} ms",
                    f"p99 < {WINDOW_TARGET_MS} ms",
                    _verdict(window.p99_ms < WINDOW_TARGET_MS),
                ),
            ],
        )

    def storefront_runs(self, windows: list[SalesFigures]) -> None:
        """The storefront window measured several times: its spread says whether it is stable."""
        p50 = spread([w.p50_ms for w in windows])
        p99 = spread([w.p99_ms for w in windows])
        rates = spread([w.rate for w in windows])
        self.section(
            "Latency where it matters: sold in a shop, still shown online",
            [
                ("runs (orders' projection polled every 10 ms)", f"{len(windows)}", "", ""),
                ("achieved sales/s min / median / max", _spread_text(rates, "/s", 0), "", ""),
                ("p50 min / median / max", _spread_text(p50, " ms", 0), "", ""),
                (
                    "p99 min / median / max",
                    _spread_text(p99, " ms", 0),
                    f"p99 < {WINDOW_TARGET_MS} ms (every run)",
                    _verdict(bool(windows) and p99[2] < WINDOW_TARGET_MS),
                ),
            ],
        )

    def half_rate_latency(self, paths: list[HalfRate]) -> None:
        """End-to-end latency of each path at half the rate it just reached flat out."""
        rows: list[tuple[str, str, str, str]] = []
        for path in paths:
            rows += [
                (
                    f"{path.path}: offered (50% of its {path.maximum:,.0f}/s flat out)",
                    f"{path.offered:,.0f}/s",
                    "",
                    "",
                ),
                ("  achieved", f"{path.achieved:,.0f}/s", "", ""),
                (f"  end-to-end p50 / p99 ({path.measured})", f"{path.p50_ms:,.0f} / {path.p99_ms:,.0f} ms", "", ""),
            ]
        self.section("Latency at 50% of each path's measured maximum (same run)", rows)

    def peak_rss(self, processes: list[tuple[str, float]]) -> None:
        self.section(
            "Peak RSS per service process",
            [(name, f"{mb:,.0f} MB", f"< {RSS_TARGET_MB} MB", _verdict(mb < RSS_TARGET_MB)) for name, mb in processes],
        )

    def growth(self, points: list[GrowthPoint], minutes: float) -> None:
        """Each path's runs in order; CPU per event relative to the path's first (1x, 1 instance)."""
        rows: list[tuple[str, str, str, str]] = [("growth runs took", f"{minutes:,.1f} min", "", "")]
        first: dict[str, float] = {}
        for point in points:
            base = first.setdefault(point.path, point.cpu_us_per_event)
            unit = "partition / instance" if point.instances == 1 else "partitions / instances"
            rows += [
                (
                    f"{point.path}, {point.scale}x ({point.events:,} events), {point.instances} {unit}",
                    f"{point.rate:,.0f}/s",
                    "",
                    "",
                ),
                ("  CPU per event, by process", cpu_text(point.cpu_us_per_process), "", ""),
                (
                    "  CPU per event, all processes (against the path's first run)",
                    f"{point.cpu_us_per_event:,.0f} us ({relative(point.cpu_us_per_event, base)})",
                    "",
                    "",
                ),
                ("  peak RSS", ", ".join(f"{k} {v:,.0f} MB" for k, v in point.peak_rss_mb.items()), "", ""),
            ]
        self.section("Growth: 1x / 2x / 4x the load, 1 / 2 / 4 partitions and consumer instances", rows)

    def profiles(self, paths: list[PathProfile]) -> None:
        """Top functions by own time per process, sampled by py-spy while each path ran flat out."""
        rows: list[tuple[str, str, str, str]] = []
        for path in paths:
            for process in path.processes:
                if process.error:
                    rows.append((f"{path.path}: {process.role}", f"not sampled: {process.error}", "", ""))
                    continue
                rows.append(
                    (f"{path.path}: {process.role}", f"{process.samples:,} samples in {path.seconds:g} s", "", "")
                )
                rows += [(f"  {_cell(function)}", f"{share:.0%}", "", "") for function, share in process.top]
        self.section("What limits each path (py-spy: top 5 functions by own time, per process)", rows)

    def store_sync(self, pos: StoreSyncFigures, single: StoreSyncFigures, backlog: StoreSyncFigures) -> None:
        ceiling = self.ceiling_rows()
        self.section(
            "store-sync: POS ingestion (connected tills)",
            ceiling
            + pos.rows()
            + budget_rows(pos.cpu_us_per_transaction, pos.event_rate, POS_TARGET_BATCHED)
            + self.ratio_rows(pos.event_rate),
        )
        self.section(
            "store-sync: POS ingestion, one sale per request (for comparison)",
            single.rows() + budget_rows(single.cpu_us_per_transaction, single.event_rate, POS_TARGET_PER_REQUEST),
        )
        self.section("store-sync: an offline backlog uploaded at once", backlog.rows())

    def crm(self, replay: ReplaySpeed) -> None:
        mix = ", ".join(f"{kind} {count:,}" for kind, count in sorted(replay.mix.items()))
        self.section(
            "CRM: `reloop replay crm` rebuilding the read model from the topics",
            [
                *self.ceiling_rows(),
                ("history", f"{replay.events:,} events", ">= 1,000,000", _verdict(replay.events >= 1_000_000)),
                ("  mix", mix, "", ""),
                (
                    "replayed",
                    f"{replay.rate:,.0f} events/s",
                    f">= {TARGET_RATE:,}/s",
                    _verdict(replay.rate >= TARGET_RATE),
                ),
                *self.ratio_rows(replay.rate),
                ("  wall time", f"{replay.seconds:,.1f} s", "", ""),
                (
                    "replay peak RSS (all worker processes)",
                    f"{replay.peak_rss_mb:,.0f} MB",
                    f"< {TARGET_RSS_MB} MB",
                    _verdict(replay.peak_rss_mb < TARGET_RSS_MB),
                ),
                *replay.cpu_rows(),
                *budget_rows(replay.cpu_us, replay.rate, TARGET_RATE, service=None),
            ],
        )

    def trade_in(self, redemptions: RedemptionFigures, quotes: QuoteFigures) -> None:
        ceiling = self.ceiling_rows()
        self.section(
            "trade-in: vouchers redeemed through SaleRecorded, hot vouchers under contention",
            ceiling + redemptions.rows() + self.ratio_rows(redemptions.rate),
        )
        self.section(
            "trade-in: the quote API (POST /quotes with customer tokens, real HTTP)",
            ceiling + quotes.rows() + self.ratio_rows(quotes.rate),
        )

    def repair(self, renewals: RenewalFigures, tickets: TicketFigures) -> None:
        ceiling = self.ceiling_rows()
        self.section(
            "repair: a renewal run over the subscriptions due, each charged exactly once",
            ceiling + renewals.rows() + self.ratio_rows(renewals.rate),
        )
        self.section(
            "repair: ticket transitions through the workshop (real HTTP)",
            ceiling + tickets.rows() + self.ratio_rows(tickets.rate),
        )

    def markdown(self) -> str:
        lines = [
            "# Benchmark results",
            "",
            "Written by `make bench` (do not edit by hand). Every figure is set against two ceilings measured",
            'in the same run on the same broker: the bare aiokafka client ("ratio to the ceiling") and Kafka\'s',
            "own ProducerPerformance tool of the broker's version (\"ratio to Kafka's producer tool\").",
            "",
            f"- run: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- code: {self.code}",
            f"- machine: {self.machine}",
            "- Kafka and PostgreSQL: the local stack (`deploy/local`), on the same machine as the bench",
        ]
        if self.took:
            lines.append(f"- took: {self.took}")
        if self.baseline is None:
            lines.append("")
            for title, rows in self.sections:
                lines += [f"## {title}", "", "| measure | value | target | |", "|---|---:|---|---|"]
                lines += [f"| {name} | {value} | {target} | {verdict} |" for name, value, target, verdict in rows]
                lines.append("")
            return "\n".join(lines)
        before = self.baseline
        lines += [
            f"- before: the run of {before.run} on code {before.code or 'unknown'}, same machine, just before this one",
            "",
        ]
        for title, rows in self.sections:
            lines += [f"## {title}", "", f"| measure | value | {before.label} | target | |", "|---|---:|---:|---|---|"]
            lines += [
                f"| {name} | {value} | {earlier} | {target} | {verdict} |"
                for (name, value, target, verdict), earlier in zip(rows, self._before(title, rows), strict=True)
            ]
            lines.append("")
        return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"
