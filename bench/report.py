"""Collects figures as they are measured, prints them, and renders bench/RESULTS.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bench.baseline import Baseline
from bench.crm import TARGET_RATE, TARGET_RSS_MB, ReplaySpeed
from bench.foundation import PathFigures
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
    sections: list[tuple[str, list[tuple[str, str, str, str]]]] = field(default_factory=list)

    def line(self, text: str) -> None:
        print(text, flush=True)

    def ratio(self, rate: float) -> str:
        return f"{rate / self.ceiling:.2f}" if self.ceiling else "n/a"

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
                ("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", ""),
                (
                    "events through outbox -> relay -> consumer (committed)",
                    f"{path.rate:,.0f}/s",
                    ">= 5,000/s",
                    _verdict(path.rate >= 5000),
                ),
                ("ratio path / ceiling", self.ratio(path.rate), "", ""),
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
                ("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", ""),
                (
                    "shop sales applied, relay in the inventory process",
                    f"{flat.rate:,.0f}/s",
                    ">= 2,000/s",
                    _verdict(flat.rate >= 2000),
                ),
                ("  ratio to the ceiling", self.ratio(flat.rate), "", ""),
                ("  latency p50 / p99 under that load", f"{flat.p50_ms:,.0f} / {flat.p99_ms:,.0f} ms", "", ""),
                ("  CPU per sale", cpu, "", ""),
                (
                    "shop sales applied, relay as its own process (`reloop relay`)",
                    f"{split.rate:,.0f}/s",
                    ">= 2,000/s",
                    _verdict(split.rate >= 2000),
                ),
                ("  ratio to the ceiling", self.ratio(split.rate), "", ""),
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
        ceiling = [("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", "")]
        self.section(
            "store-sync: POS ingestion (connected tills)",
            ceiling + pos.rows() + [("  ratio to the ceiling", self.ratio(pos.event_rate), "", "")],
        )
        self.section("store-sync: POS ingestion, one sale per request (for comparison)", single.rows(judged=False))
        self.section("store-sync: an offline backlog uploaded at once", backlog.rows())

    def crm(self, replay: ReplaySpeed) -> None:
        mix = ", ".join(f"{kind} {count:,}" for kind, count in sorted(replay.mix.items()))
        self.section(
            "CRM: `reloop replay crm` rebuilding the read model from the topics",
            [
                ("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", ""),
                ("history", f"{replay.events:,} events", ">= 1,000,000", _verdict(replay.events >= 1_000_000)),
                ("  mix", mix, "", ""),
                (
                    "replayed",
                    f"{replay.rate:,.0f} events/s",
                    f">= {TARGET_RATE:,}/s",
                    _verdict(replay.rate >= TARGET_RATE),
                ),
                ("  ratio to the ceiling", self.ratio(replay.rate), "", ""),
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
        ceiling = [("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", "")]
        self.section(
            "trade-in: vouchers redeemed through SaleRecorded, hot vouchers under contention",
            ceiling + redemptions.rows() + [("  ratio to the ceiling", self.ratio(redemptions.rate), "", "")],
        )
        self.section(
            "trade-in: the quote API (POST /quotes with customer tokens, real HTTP)",
            ceiling + quotes.rows() + [("  ratio to the ceiling", self.ratio(quotes.rate), "", "")],
        )

    def repair(self, renewals: RenewalFigures, tickets: TicketFigures) -> None:
        ceiling = [("bare aiokafka produce->consume, same broker (ceiling)", f"{self.ceiling:,.0f}/s", "", "")]
        self.section(
            "repair: a renewal run over the subscriptions due, each charged exactly once",
            ceiling + renewals.rows() + [("  ratio to the ceiling", self.ratio(renewals.rate), "", "")],
        )
        self.section(
            "repair: ticket transitions through the workshop (real HTTP)",
            ceiling + tickets.rows() + [("  ratio to the ceiling", self.ratio(tickets.rate), "", "")],
        )

    def markdown(self) -> str:
        lines = [
            "# Benchmark results",
            "",
            "Written by `make bench` (do not edit by hand). Every ratio is against the bare aiokafka",
            "client measured in the same run on the same broker.",
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
