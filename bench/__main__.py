"""`make bench`: every benchmark in one run, printed and written to bench/RESULTS.md."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bench.baseline import read_baseline
from bench.common import code_version, infrastructure, machine
from bench.report import Report
from reloop_localstack.stack import Endpoints


async def run(args: argparse.Namespace, endpoints: Endpoints) -> Report:
    from bench import crm, foundation, sales, store_sync

    report = Report(machine(), code=code_version(), baseline=read_baseline(args.baseline) if args.baseline else None)
    ceiling = await foundation.bare_ceiling(endpoints, args.events)
    report.ceiling = ceiling
    report.line(f"bare aiokafka produce->consume (ceiling): {ceiling:,.0f} msg/s")
    path = await foundation.outbox_path(endpoints, args.events)
    report.foundation_throughput(path)
    steady = await foundation.outbox_path(endpoints, args.steady_seconds * 1000, rate=1000, batch=10)
    report.foundation_latency(steady)
    flat = await sales.shop_sales(endpoints, args.sales)
    split = await sales.shop_sales(endpoints, args.sales, separate_relay=True)
    window = await sales.storefront_window(endpoints, rate=200, seconds=args.steady_seconds)
    report.sales(flat, split, window)
    pos = await store_sync.pos_ingestion(endpoints, args.pos)
    single = await store_sync.pos_ingestion(endpoints, args.pos // 5, per_request=1)
    backlog = await store_sync.offline_backlog(endpoints, args.backlog)
    report.store_sync(pos, single, backlog)
    replay = await crm.replay_speed(endpoints, args.crm_events)
    report.crm(replay)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--steady-seconds", type=int, default=15)
    parser.add_argument("--sales", type=int, default=30_000)
    parser.add_argument("--pos", type=int, default=20_000, help="POS transactions, 10 per request")
    parser.add_argument("--backlog", type=int, default=100_000, help="offline transactions uploaded at once")
    parser.add_argument("--crm-events", type=int, default=1_000_000, help="history replayed into CRM")
    parser.add_argument("--results", type=Path, default=Path(__file__).parent / "RESULTS.md")
    parser.add_argument(
        "--baseline", type=Path, default=None, help="an earlier RESULTS.md whose figures are printed beside these"
    )
    args = parser.parse_args()
    # The stack starts outside the event loop: its readiness checks run their own.
    with infrastructure() as endpoints:
        report = asyncio.run(run(args, endpoints))
    args.results.write_text(report.markdown())
    print(f"\nwritten to {args.results}")


if __name__ == "__main__":
    main()
