"""`reloop`: operations commands. Services add their own through the `reloop.commands` entry point
group (`reloop replay crm`, `reloop report`), so this package never imports a service.

With no `KAFKA_BOOTSTRAP_SERVERS` / `DATABASE_URL` set, the commands speak to the running local stack
(`reloop_shared.cli.local_stack`): its variables are put in this process's environment before any
command reads its settings, so the services' plugin commands get them too. A failure is one line
(`reloop_shared.cli.failures`); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from importlib.metadata import entry_points

from reloop_shared.cli import dlq, migrate, outbox, relay, status, tokens
from reloop_shared.cli.failures import explain
from reloop_shared.cli.local_stack import find_stack, stack_environment

FROM_THE_STACK = (("Kafka", "KAFKA_BOOTSTRAP_SERVERS"), ("PostgreSQL", "DATABASE_URL"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="reloop", description="reloop operations")
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        help="Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP_SERVERS, else the running local stack's)",
    )
    parser.add_argument("--debug", action="store_true", help="say where settings come from; tracebacks on failure")
    commands = parser.add_subparsers(dest="command", required=True)
    dlq.register(commands)
    migrate.register(commands)
    outbox.register(commands)
    relay.register(commands)
    status.register(commands)
    tokens.register(commands)
    for plugin in entry_points(group="reloop.commands"):
        plugin.load()(commands)
    return parser


def use_running_stack(debug: bool) -> tuple[str, set[str]]:
    """Fill the variables the environment leaves unset from the running local stack, if any: the
    stack's name and the variables it filled."""
    stack = find_stack()
    if stack is None:
        if debug:
            print("reloop: no local stack running; settings from the environment only", file=sys.stderr)
        return "", set()
    filled = stack_environment(stack)
    os.environ.update(filled)
    if debug:
        print(
            f"reloop: the '{stack.name}' stack ({stack.folder}) sets {', '.join(sorted(filled)) or 'nothing'}",
            file=sys.stderr,
        )
    return stack.name, set(filled)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    debug = "--debug" in arguments
    # Libraries log their retries (aiokafka: "Unable connect to ..."); the one line below says it all.
    logging.basicConfig(level=logging.INFO if debug else logging.CRITICAL, stream=sys.stderr)
    stack, filled = use_running_stack(debug)
    args = build_parser().parse_args(arguments)  # after: the defaults read the filled environment
    try:
        result = asyncio.run(args.run(args))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        line = explain(error)
        if debug or line is None:
            raise
        if any(line.startswith(f"no {what} at") for what, variable in FROM_THE_STACK if variable in filled):
            # The state file outlived its stack (a `make up` killed hard): `make down` clears it.
            line += f" (the '{stack}' stack's state names it; make down clears a stack left behind)"
        print(f"reloop {args.command}: {line}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
