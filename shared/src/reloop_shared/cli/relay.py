"""`reloop relay --database-url URL --producer NAME`: an outbox relay as its own process.

Services run their relay in-process; this lets operations run it apart (or restart it alone).
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import Any

from reloop_shared.db.pool import create_pool
from reloop_shared.kafka.broker import make_producer
from reloop_shared.outbox.publisher import ProducerPublisher
from reloop_shared.outbox.relay import OutboxRelay


def register(commands: Any) -> None:
    parser = commands.add_parser("relay", help="run an outbox relay for one service database")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--producer", required=True, help="the service whose outbox this is")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    pool = await create_pool(args.database_url, size=3)
    producer = make_producer(args.bootstrap_servers, client_id=f"{args.producer}-relay")
    await producer.start()
    relay = OutboxRelay(pool, ProducerPublisher(producer), producer=args.producer, batch_size=args.batch_size)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, relay.stop)
    try:
        await relay.run()
    finally:
        await producer.stop()
        await pool.close()
    return 0
