"""`make bench`: every benchmark in one run, printed and written to bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench.baseline import read_baseline
from bench.common import code_version, infrastructure, machine
from bench.report import Report
from reloop_localstack.stack import Endpoints
from reloop_shared.kafka.connection import KafkaSecurity

SECTIONS = ("foundation", "sales", "store-sync", "crm", "trade-in", "repair")
BARE_VALUE_SIZE = 420


async def run(args: argparse.Namespace, endpoints: Endpoints) -> Report:
    from bench import (
        crm,
        foundation,
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
    if "foundation" in chosen:
        path = await foundation.outbox_path(endpoints, args.events)
        report.foundation_throughput(path)
        steady = await foundation.outbox_path(endpoints, args.steady_seconds * 1000, rate=1000, batch=10)
        report.foundation_latency(steady)
    if "sales" in chosen:
        flat = await sales.shop_sales(endpoints, args.sales)
        split = await sales.shop_sales(endpoints, args.sales, separate_relay=True)
        window = await sales.storefront_window(endpoints, rate=200, seconds=args.steady_seconds)
        report.sales(flat, split, window)
    if "store-sync" in chosen:
        pos = await store_sync.pos_ingestion(endpoints, args.pos)
        single = await store_sync.pos_ingestion(endpoints, args.pos // 5, per_request=1)
        backlog = await store_sync.offline_backlog(endpoints, args.backlog)
        report.store_sync(pos, single, backlog)
    if "crm" in chosen:
        replay = await crm.replay_speed(endpoints, args.crm_events)
        report.crm(replay)
    if "trade-in" in chosen:
        redemptions = await voucher_redemptions.voucher_redemptions(
            endpoints, args.voucher_sales, vouchers=args.hot_vouchers
        )
        quotes = await trade_in_quotes.quote_api(
            endpoints, seconds=args.quote_seconds, concurrency=args.quote_concurrency
        )
        report.trade_in(redemptions, quotes)
    if "repair" in chosen:
        renewals = await repair_renewals.renewal_run(endpoints, args.renewals)
        tickets = await repair_tickets.ticket_transitions(endpoints, seconds=args.quote_seconds)
        report.repair(renewals, tickets)
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
    parser.add_argument("--sales", type=int, default=30_000)
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
    with infrastructure() as endpoints:
        report = asyncio.run(run(args, endpoints))
    # A partial run would drop the other sections from the results file: it writes only when told where.
    results = args.results or (None if args.only else Path(__file__).parent / "RESULTS.md")
    if results is not None:
        results.write_text(report.markdown())
        print(f"\nwritten to {results}")


if __name__ == "__main__":
    main()
