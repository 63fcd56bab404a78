"""Collects figures as they are measured, prints them, and renders bench/RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.baseline import Baseline
from bench.crm import TARGET_RATE, TARGET_RSS_MB, ReplaySpeed
from bench.foundation import PathFigures
from bench.kafka_tools import ToolCeiling
from bench.repair_renewals import RenewalFigures
from bench.repair_tickets import TicketFigures
from bench.sales import SalesFigures
from bench.store_sync import StoreSyncFigures
from bench.trade_in_quotes import QuoteFigures
from bench.voucher_redemptions import RedemptionFigures


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

    def foundation_throughput(self, path: PathFigures) -> None:
        self.section(
            "Foundation: outbox -> Kafka -> idempotent consumer (flat out)",
            [
                *self.ceiling_rows(),
                (
                    "events through outbox -> relay -> consumer (committed)",
                    f"{path.rate:,.0f}/s",
                    ">= 5,000/s",
                    _verdict(path.rate >= 5000),
                ),
                ("ratio path / ceiling", self.ratio(path.rate), "", ""),
                ("ratio path / Kafka's producer tool", self.tool_ratio(path.rate), "", ""),
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
                    ">= 2,000/s",
                    _verdict(flat.rate >= 2000),
                ),
                *self.ratio_rows(flat.rate),
                ("  latency p50 / p99 under that load", f"{flat.p50_ms:,.0f} / {flat.p99_ms:,.0f} ms", "", ""),
                ("  CPU per sale", cpu, "", ""),
                (
                    "shop sales applied, relay as its own process (`reloop relay`)",
                    f"{split.rate:,.0f}/s",
                    ">= 2,000/s",
                    _verdict(split.rate >= 2000),
                ),
                *self.ratio_rows(split.rate),
                ("  latency p50 / p99 under that load", f"{split.p50_ms:,.0f} / {split.p99_ms:,.0f} ms", "", ""),
                (
                    f"sold in a shop, still shown online: p50 / p99 at {window.rate:,.0f} sales/s",
                    f"{window.p50_ms:,.0f} / {window.p99_ms:,.0f} ms",
                    "p99 < 500 ms",
                    _verdict(window.p99_ms < 500),
                ),
            ],
        )

    def store_sync(self, pos: StoreSyncFigures, single: StoreSyncFigures, backlog: StoreSyncFigures) -> None:
        ceiling = self.ceiling_rows()
        self.section(
            "store-sync: POS ingestion (connected tills)",
            ceiling + pos.rows() + self.ratio_rows(pos.event_rate),
        )
        self.section("store-sync: POS ingestion, one sale per request (for comparison)", single.rows(judged=False))
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
