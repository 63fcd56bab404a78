"""`python -m reloop_localstack {up,down,infra,fetch}`.

- `up`: Kafka, PostgreSQL and every service, then the demo scenario; Ctrl-C stops everything.
- `infra`: only Kafka and PostgreSQL, printing the variables that point a shell at them.
- `down`: stop a stack left behind (a killed terminal, say).
- `fetch`: download Kafka's jars into the cache (the first `make test` does it anyway).
- `kafka stop|start`, `postgres restart`: one piece of a running stack down and up again, the
  services left running (docs/operations.md, "Survive a broker outage").
- `kafka-credentials rotate <principal>`: a new SCRAM password on the running broker and in the
  stack's credentials file.
- `service stop|start <service>`: one service down and up again, the rest left running (to rebuild
  its read model in place, say).
- `containers test [pytest args]`: `make test-containers` (`reloop_localstack.containers`).
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
    parser.add_argument(
        "command",
        choices=["up", "infra", "down", "fetch", "kafka", "postgres", "kafka-credentials", "service", "containers"],
    )
    parser.add_argument(
        "action", nargs="?", help="kafka, service: stop or start; postgres: restart; kafka-credentials: rotate"
    )
    parser.add_argument(
        "subject", nargs="?", help="kafka-credentials rotate: whose password (a service, ext-...); service: which"
    )
    parser.add_argument("--name", default="dev", help="stack name (tests use 'test')")
    parser.add_argument("--no-demo", action="store_true", help="up: skip the demo scenario")
    args, rest = parser.parse_known_args(argv)
    if args.command == "containers" and args.action == "test":
        from reloop_localstack.containers import suite

        return suite.run([*([args.subject] if args.subject else []), *rest])
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "fetch":
        print(f"Kafka {kafka.KAFKA_VERSION} jars in {kafka.ensure_jars()}")
        return 0
    if args.command in ("kafka", "postgres", "kafka-credentials", "service"):
        return _operate(parser, args.command, args.action, args.subject, args.name)
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


def _operate(parser: argparse.ArgumentParser, command: str, action: str | None, subject: str | None, name: str) -> int:
    from reloop_localstack import kafka_credentials, outages
    from reloop_localstack.kafka_password_rotation import bootstrap_of, rotate
    from reloop_localstack.paths import stack_dir

    if (command, action) == ("kafka", "stop"):
        print(f"stopped the '{name}' stack's Kafka (pid {outages.stop_kafka(name)}); the services keep running")
    elif (command, action) == ("kafka", "start"):
        print(f"the '{name}' stack's Kafka is back (pid {outages.start_kafka(name)}), same address and data")
    elif (command, action) == ("postgres", "restart"):
        outages.restart_postgres(name)
        print(f"restarted the '{name}' stack's PostgreSQL: every connection was cut")
    elif command == "kafka-credentials" and action == "rotate" and subject:
        credentials = kafka_credentials.read(stack_dir(name) / kafka_credentials.FILE_NAME)
        rotated = rotate(bootstrap_of(credentials), credentials, subject)
        print(f"{subject} has a new password on the broker and in {rotated.path}")
        print(f"  connections open keep working; restart whatever connects as {subject} with the new one")
    elif (command, action) == ("service", "stop") and subject:
        from reloop_localstack.system import stop_service

        stop_service(name, subject)
        print(f"stopped {subject} in the '{name}' stack; the other services keep running")
    elif (command, action) == ("service", "start") and subject:
        from reloop_localstack.system import start_service

        start_service(name, subject)
        print(f"{subject} is running again in the '{name}' stack, and ready")
    else:
        parser.error(f"{command} {action or ''}: see --help")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
