"""`reloop status [--services name=url,...] [--json]`: is the system well? Each service's
readiness, consumer lag, outbox backlog and its oldest unpublished row, and the dead letters.

The services are the running local stack's (its state file names them) unless `--services` says;
a service's database is `<PREFIX>SERVICE_DATABASE_URL`, else `reloop_<service>` on `DATABASE_URL`'s
server, as its runtime finds it.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from reloop_shared.cli.failures import CommandError
from reloop_shared.cli.local_stack import find_stack
from reloop_shared.cli.service_databases import service_database_url
from reloop_shared.cli.system_status import ServiceStatus, SystemStatus, Target, system_status
from reloop_shared.settings import RuntimeSettings


def register(commands: Any) -> None:
    parser = commands.add_parser("status", help="health, consumer lag, outbox backlog and dead letters per service")
    parser.add_argument("--services", help="name=url,... (default: the running local stack's services)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run)


async def run(args: argparse.Namespace) -> int:
    settings = RuntimeSettings()
    targets = [Target(name, url, service_database_url(name)) for name, url in _services(args.services).items()]
    status = await system_status(targets, args.bootstrap_servers, settings.topic_namespace)
    print(json.dumps(asdict(status), indent=2, default=str) if args.json else as_table(status))
    return 0 if all(s.ready for s in status.services) else 1


def _services(given: str | None) -> dict[str, str]:
    if given:
        pairs = [item.split("=", 1) for item in given.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise CommandError("--services takes name=url pairs separated by commas")
        return {name.strip(): url.strip().rstrip("/") for name, url in pairs}
    stack = find_stack()
    if stack is None or not stack.services:
        raise CommandError("no local stack is running: start the system with make up, or say --services name=url,...")
    return {service.name: service.url for service in stack.services}


def as_table(status: SystemStatus) -> str:
    columns = ("service", "health", "lag", "outbox backlog", "oldest unpublished", "parked", "held keys")
    rows = [_row(s) for s in status.services]
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += ["", "consumer groups (lag)"]
    lines += [f"  {group}  {lag}" for s in status.services for group, lag in sorted(s.lag_per_group.items())]
    lines += ["", "dead letters"]
    lines += [f"  {topic}  {count}" for topic, count in sorted(status.dead_letters.items()) if count]
    total = sum(status.dead_letters.values())
    lines.append(f"  {total} dead letter(s) in {len(status.dead_letters)} dead-letter topic(s)")
    problems = [f"  {s.name}: outbox: {s.outbox_error}" for s in status.services if s.outbox_error]
    return "\n".join(lines + problems)


def _row(s: ServiceStatus) -> tuple[str, str, str, str, str, str, str]:
    if isinstance(s.health, str):
        health = s.health
    else:
        failing = [name for name, ok in s.health.get("checks", {}).items() if not ok]
        health = "ready" if s.ready else f"not ready ({', '.join(failing) or 'starting'})"
    lag = "-" if s.lag is None else str(s.lag)
    backlog = "?" if s.outbox_backlog is None else str(s.outbox_backlog)
    parked = "?" if s.outbox_parked is None else str(s.outbox_parked)
    held = "?" if s.held_keys is None else str(s.held_keys)
    return s.name, health, lag, backlog, _age(s.oldest_unpublished_s), parked, held


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f}s"
    return f"{seconds / 60:.0f}m" if seconds < 7200 else f"{seconds / 3600:.1f}h"
