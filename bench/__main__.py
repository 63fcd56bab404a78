"""`make bench`: every benchmark in one run, printed and written to bench/RESULTS.md.

Beside each path's flat-out figure, the same run measures its end-to-end latency at half that
rate (a flat-out latency only says how long the queue was), the storefront window several times
(its spread), each service process's peak RSS, a py-spy profile of each path's processes and,
with `--growth`, each path at 1x/2x/4x its load and with 1/2/4 partitions and instances.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from bench.baseline import read_baseline
from bench.common import code_version, infrastructure, machine, settle
from bench.profiles import PathProfile
from bench.report import HalfRate, Report
from reloop_localstack.stack import Endpoints
from reloop_shared.kafka.connection import KafkaSecurity

SECTIONS = ("foundation", "sales", "store-sync", "crm", "trade-in", "repair")
BARE_VALUE_SIZE = 420


async def run(args: argparse.Namespace, endpoints: Endpoints) -> Report:
    from bench import (
        crm,
        foundation,
        growth,
        kafka_tools,
        repair_renewals,
        repair_tickets,
        sales,
        store_sync,
        trade_in_quotes,
        voucher_redemptions,
    )

    report = Report(machine(), code=code_version(), baseline=read_baseline(args.baseline) if args.baseline else None)
    ceiling = await foundation.bare_ceiling(endpoints, args.events, value_size=BARE_VALUE_SIZE)
    report.ceiling = ceiling
    report.line(f"bare aiokafka produce->consume (ceiling): {ceiling:,.0f} msg/s")
    if args.tool_records:
        # Same broker, same run: the ratio is then against what the broker can do, not one client.
        # The tools connect as the bench's own clients do, as the environment says (the admin, locally).
        security = KafkaSecurity.from_environment()
        report.tools = await kafka_tools.tools_ceiling(
            endpoints.kafka_bootstrap_servers, security, records=args.tool_records
        )
    report.ceilings(args.events, BARE_VALUE_SIZE)
    chosen = set(args.only or SECTIONS)
    half: list[HalfRate] = []
    rss: list[tuple[str, float]] = []
    sampled: list[PathProfile] = []
    steady = args.steady_seconds
    if "foundation" in chosen:
        await settle(endpoints)
        path = await foundation.outbox_path(endpoints, args.events, profile_seconds=args.profile_seconds)
        # The same path with a handler applying each batch in one statement, as the real projections do.
        batched = []
        for _ in range(args.throughput_runs):
            await settle(endpoints)
            batched.append(await foundation.outbox_path(endpoints, args.events, handler="batched"))
        report.foundation_throughput(path, batched)
        paced = await foundation.outbox_path(endpoints, steady * 1000, rate=1000, batch=10)
        report.foundation_latency(paced)
        paced_half = await foundation.outbox_path(endpoints, int(path.rate / 2 * steady), rate=path.rate / 2, batch=10)
        half.append(
            HalfRate(
                "committed path",
                path.rate,
                path.rate / 2,
                paced_half.rate,
                paced_half.p50_ms,
                paced_half.p99_ms,
                "occurred -> consumer commit",
            )
        )
        rss += [
            ("bench consumer, committed path flat out", path.consumer_peak_rss_mb),
            (
                "bench consumer, committed path batched, flat out (max of runs)",
                max(r.consumer_peak_rss_mb for r in batched),
            ),
            ("bench consumer, committed path at 50%", paced_half.consumer_peak_rss_mb),
        ]
        sampled += [path.profile] if path.profile else []
    if "sales" in chosen:
        await settle(endpoints)
        flat = await sales.shop_sales(endpoints, args.sales)
        split = await sales.shop_sales(endpoints, args.sales, separate_relay=True, profile_seconds=args.profile_seconds)
        windows = []
        for _ in range(args.storefront_runs):
            await settle(endpoints)  # each run from a settled disk: the spread is the path's own
            windows.append(await sales.storefront_window(endpoints, rate=200, seconds=steady))
        # The existing row shows the run of median p99 (the spread is in its own section).
        middle = sorted(windows, key=lambda w: w.p99_ms)[len(windows) // 2]
        report.sales(flat, split, middle)
        report.storefront_runs(windows)
        sales_half = await sales.shop_sales(endpoints, int(flat.rate / 2 * steady), rate=flat.rate / 2)
        half.append(
            HalfRate(
                "shop sales through inventory",
                flat.rate,
                flat.rate / 2,
                sales_half.rate,
                sales_half.p50_ms,
                sales_half.p99_ms,
                "sold at the till -> availability event read",
            )
        )
        rss += [
            (f"inventory, shop sales {name}", mb)
            for name, figures in (("flat out", flat), ("relay apart", split), ("at 50%", sales_half))
            for mb in figures.peak_rss_mb.values()
        ]
        rss += [
            (f"{service}, storefront window (max of runs)", max(w.peak_rss_mb[service] for w in windows))
            for service in ("inventory", "orders")
        ]
        sampled += [split.profile] if split.profile else []
    if "store-sync" in chosen:
        await settle(endpoints)
        pos = await store_sync.pos_ingestion(endpoints, args.pos, profile_seconds=args.profile_seconds)
        single = await store_sync.pos_ingestion(endpoints, args.pos // 5, per_request=1)
        backlog = await store_sync.offline_backlog(endpoints, args.backlog)
        report.store_sync(pos, single, backlog)
        pos_half = await store_sync.pos_ingestion(
            endpoints, max(1, int(pos.event_rate / 2 * steady)), rate=pos.event_rate / 2
        )
        half.append(
            HalfRate(
                "POS, 10 per request",
                pos.event_rate,
                pos.event_rate / 2,
                pos_half.event_rate,
                pos_half.end_to_end_p50_ms,
                pos_half.end_to_end_p99_ms,
                "till request sent -> SaleRecorded read",
            )
        )
        rss += [
            ("store-sync, POS batched", pos.peak_rss_mb),
            ("store-sync, POS one per request", single.peak_rss_mb),
            ("store-sync, offline backlog", backlog.peak_rss_mb),
            ("store-sync, POS at 50%", pos_half.peak_rss_mb),
        ]
        sampled += [pos.profile] if pos.profile else []
    if half:
        report.half_rate_latency(half)
    if "crm" in chosen:
        await settle(endpoints)
        replay = await crm.replay_speed(endpoints, args.crm_events)
        report.crm(replay)
    if "trade-in" in chosen:
        await settle(endpoints)
        redemptions = await voucher_redemptions.voucher_redemptions(
            endpoints, args.voucher_sales, vouchers=args.hot_vouchers
        )
        quotes = await trade_in_quotes.quote_api(
            endpoints, seconds=args.quote_seconds, concurrency=args.quote_concurrency
        )
        report.trade_in(redemptions, quotes)
    if "repair" in chosen:
        await settle(endpoints)
        renewals = await repair_renewals.renewal_run(endpoints, args.renewals)
        tickets = await repair_tickets.ticket_transitions(endpoints, seconds=args.quote_seconds)
        report.repair(renewals, tickets)
    if rss:
        report.peak_rss(rss)
    if args.growth:
        await settle(endpoints)
        began = time.monotonic()
        points = []
        if "foundation" in chosen:
            points += await growth.committed_path(endpoints, args.growth_events or args.events)
        if "sales" in chosen:
            points += await growth.shop_sales(endpoints, args.growth_sales or args.sales)
        if "store-sync" in chosen:
            points += await growth.pos(endpoints, args.growth_pos or args.pos)
        report.growth(points, (time.monotonic() - began) / 60)
    if sampled:
        report.profiles(sampled)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--steady-seconds", type=int, default=15)
    parser.add_argument(
        "--tool-records",
        type=int,
        default=1_000_000,
        help="records of 300 bytes Kafka's ProducerPerformance sends and ConsumerPerformance reads (0: skip them)",
    )
    parser.add_argument(
        "--throughput-runs", type=int, default=3, help="times the committed path's target line is measured (median)"
    )
    parser.add_argument("--sales", type=int, default=30_000)
    parser.add_argument(
        "--storefront-runs", type=int, default=3, help="times the storefront window is measured (min/median/max)"
    )
    parser.add_argument(
        "--profile-seconds",
        type=float,
        default=5,
        help="py-spy samples each path's processes this long during its flat-out run (0: no profiles)",
    )
    parser.add_argument(
        "--growth",
        action="store_true",
        help="also run each path at 1x/2x/4x its base load and with 1/2/4 partitions and instances",
    )
    parser.add_argument("--growth-events", type=int, default=0, help="committed path's base load (default --events)")
    parser.add_argument("--growth-sales", type=int, default=0, help="shop sales' base load (default --sales)")
    parser.add_argument("--growth-pos", type=int, default=0, help="POS's base load (default --pos)")
    parser.add_argument("--pos", type=int, default=20_000, help="POS transactions, 10 per request")
    parser.add_argument("--backlog", type=int, default=100_000, help="offline transactions uploaded at once")
    parser.add_argument("--crm-events", type=int, default=1_000_000, help="history replayed into CRM")
    parser.add_argument("--voucher-sales", type=int, default=20_000, help="sales paid with hot vouchers")
    parser.add_argument("--hot-vouchers", type=int, default=20, help="vouchers those sales share")
    parser.add_argument("--quote-seconds", type=int, default=15, help="how long customers quote")
    parser.add_argument("--quote-concurrency", type=int, default=20, help="customers quoting at once")
    parser.add_argument("--renewals", type=int, default=100_000, help="subscriptions due in one renewal run")
    parser.add_argument(
        "--only",
        choices=SECTIONS,
        action="append",
        help="run only these benchmarks (repeatable); RESULTS.md is then left as it is unless --results says where",
    )
    parser.add_argument("--results", type=Path, default=None, help="default: bench/RESULTS.md (a full run)")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="an earlier RESULTS.md whose figures are printed beside these"
    )
    args = parser.parse_args()
    # The stack starts outside the event loop: its readiness checks run their own.
    began = time.monotonic()
    with infrastructure() as endpoints:
        report = asyncio.run(run(args, endpoints))
    report.took = f"{(time.monotonic() - began) / 60:,.1f} min{' (with --growth)' if args.growth else ''}"
    print(f"\nthe whole run took {report.took}")
    # A partial run would drop the other sections from the results file: it writes only when told where.
    results = args.results or (None if args.only else Path(__file__).parent / "RESULTS.md")
    if results is not None:
        results.write_text(report.markdown())
        print(f"\nwritten to {results}")


if __name__ == "__main__":
    main()
