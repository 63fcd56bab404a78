"""`reloop`: operations commands. Services add their own through the `reloop.commands` entry point
group (`reloop replay crm`, `reloop report`), so this package never imports a service."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from importlib.metadata import entry_points

from reloop_shared.cli import dlq, migrate, relay, tokens


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reloop", description="reloop operations")
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    dlq.register(commands)
    migrate.register(commands)
    relay.register(commands)
    tokens.register(commands)
    for plugin in entry_points(group="reloop.commands"):
        plugin.load()(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result = asyncio.run(args.run(args))
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
