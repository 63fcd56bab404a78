"""`python -m reloop_localstack {up,down,infra,fetch}`.

- `up`: Kafka, PostgreSQL and every service, then the demo scenario; Ctrl-C stops everything.
- `infra`: only Kafka and PostgreSQL, printing the variables that point a shell at them.
- `down`: stop a stack left behind (a killed terminal, say).
- `fetch`: download Kafka's jars into the cache (the first `make test` does it anyway).
"""

from __future__ import annotations

import argparse
import signal
from collections.abc import Callable

from reloop_localstack import kafka
from reloop_localstack.stack import LocalStack, StackInUse


def _wait_for_interrupt(ready: Callable[[], None] = lambda: None) -> None:
    # Blocked before `ready` says so: a Ctrl-C sent the moment it is announced waits for sigwait
    # instead of landing in the middle of the announcement as a KeyboardInterrupt.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    ready()
    signal.sigwait({signal.SIGINT, signal.SIGTERM})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="reloop_localstack")
    parser.add_argument("command", choices=["up", "infra", "down", "fetch"])
    parser.add_argument("--name", default="dev", help="stack name (tests use 'test')")
    parser.add_argument("--no-demo", action="store_true", help="up: skip the demo scenario")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        print(f"Kafka {kafka.KAFKA_VERSION} jars in {kafka.ensure_jars()}")
        return 0
    stack = LocalStack(args.name)
    if args.command == "down":
        stack.stop()
        from reloop_localstack.system import stop_services

        stop_services(args.name)
        print(f"stopped the '{args.name}' stack")
        return 0
    if args.command == "infra":
        try:
            endpoints = stack.start()
        except StackInUse as error:
            print(f"{error}: it is up already (make down stops it)")
            return 2
        for key, value in endpoints.as_env().items():
            print(f"export {key}='{value}'")
        print("# Kafka and PostgreSQL are running; Ctrl-C stops them", flush=True)
        try:
            _wait_for_interrupt()
        finally:
            stack.stop()
        return 0
    from reloop_localstack.system import run_system

    try:
        return run_system(stack, demo=not args.no_demo, wait=_wait_for_interrupt)
    except StackInUse as error:
        print(f"{error}: it is up already (make down stops it)")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
