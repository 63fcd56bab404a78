"""`reloop relay --database-url URL --producer NAME`: an outbox relay as its own process.

Services run their relay in-process; this lets operations run it apart (or restart it alone).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from prometheus_client import start_http_server

from reloop_shared.cli.service_databases import service_database_url
from reloop_shared.db.pool import create_pool
from reloop_shared.kafka.broker import make_producer
from reloop_shared.outbox.publisher import ProducerPublisher
from reloop_shared.outbox.relay import OutboxRelay


def register(commands: Any) -> None:
    parser = commands.add_parser("relay", help="run an outbox relay for one service database")
    parser.add_argument("--database-url", help="default: the producer's own, as its runtime finds it")
    parser.add_argument("--producer", required=True, help="the service whose outbox this is")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--lease-seconds", type=float, default=10.0, help="leadership without renewal lasts this long")
    parser.add_argument("--park-after", type=int, default=5, help="broker refusals of a row before it is parked")
    parser.add_argument(
        "--metrics-port", type=int, help="serve the relay's Prometheus metrics on this port (apart, it has no edge)"
    )
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    pool = await create_pool(args.database_url or service_database_url(args.producer), size=3)
    producer = make_producer(args.bootstrap_servers, client_id=f"{args.producer}-relay")
    await producer.start()
    relay = OutboxRelay(
        pool,
        ProducerPublisher(producer),
        producer=args.producer,
        batch_size=args.batch_size,
        lease_seconds=args.lease_seconds,
        park_after=args.park_after,
    )
    if args.metrics_port is not None:
        start_http_server(args.metrics_port)  # a daemon thread: the outbox's backlog and age, for alerts
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, relay.stop)
    try:
        await relay.run()
    finally:
        await producer.stop()
        await pool.close()
    return 0
