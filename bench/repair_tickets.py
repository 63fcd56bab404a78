"""Repair ticket bench: the workshop moving tickets through their steps over real HTTP, against
`python -m repair` (`RepairProcess`).

Each ticket is a parcel staff opened for a customer with no plan and a device reloop never sold,
so it takes the longest way: diagnosis (a quote), the customer's answer (their own token), start,
repaired, quality checked, sent back. Those six moves are the transitions measured; the tickets are
opened beforehand. Two phases, as the quote bench: the most the service moves with `concurrency`
clients back to back, then the latency at `rate` transitions a second sent on schedule (each
measured from when it was due, so queueing counts). A ticket's moves go one after the other, as a
workshop makes them; moves of different tickets interleave. A few tickets per client are in the
workshop at a time, a fresh one coming in as one is sent back, so the six moves are measured in
equal shares (every opened ticket in the queue at once would measure little but diagnoses).
"""

from __future__ import annotations

import asyncio
import collections
import time
from dataclasses import dataclass, field
from typing import Any

from bench.common import percentile
from bench.foundation import cpu_seconds
from bench.http_load import Call, Connection, at_a_fixed_rate
from bench.repair_renewals import RepairProcess
from reloop_localstack.stack import Endpoints
from reloop_localstack.testing import luhn_imei
from reloop_shared.auth.principal import STOREFRONT
from reloop_shared.auth.tokens import issue_token

TARGET_RATE = 500
TARGET_P99_MS = 50
DIAGNOSIS = {"findings": ["screen cracked"], "estimate": {"amount_minor": 9900, "currency": "EUR"}}
MOVES: tuple[tuple[str, dict[str, Any], bool], ...] = (
    ("diagnosis", DIAGNOSIS, False),
    ("quote-answer", {"accepted": True}, True),
    ("start-repair", {}, False),
    ("repaired", {}, False),
    ("quality-passed", {}, False),
    ("send-back", {}, False),
)
"""Each move: its path under the ticket, its body, and whether the customer (not staff) makes it."""


@dataclass
class TicketFigures:
    transitions: int
    seconds: float
    concurrency: int
    failures: int
    offered_rate: float
    at_rate_transitions: int
    p50_ms: float
    p99_ms: float
    cpu_us_per_transition: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.transitions / self.seconds

    @property
    def met(self) -> bool:
        return self.rate >= TARGET_RATE and self.p99_ms < TARGET_P99_MS and not self.failures

    def cpu_per_transition(self) -> list[tuple[str, float]]:
        return list(self.cpu_us_per_transition.items())

    def rows(self) -> list[tuple[str, str, str, str]]:
        return [
            ("saturation", f"{self.concurrency} workshop clients back to back, {self.seconds:,.0f} s", "", ""),
            (
                "ticket transitions",
                f"{self.rate:,.0f}/s",
                f">= {TARGET_RATE:,}/s",
                _verdict(self.rate >= TARGET_RATE and not self.failures),
            ),
            (
                "  transitions / failed",
                f"{self.transitions + self.at_rate_transitions:,} / {self.failures:,}",
                "none failed",
                _verdict(not self.failures),
            ),
            *[
                (f"  CPU per transition: {part}", f"{us:,.0f} us", "", "")
                for part, us in self.cpu_us_per_transition.items()
            ],
            (
                "at a fixed rate",
                f"{self.offered_rate:,.0f} transitions/s sent on schedule, {self.at_rate_transitions:,} transitions",
                "",
                "",
            ),
            (
                "  latency p50 / p99",
                f"{self.p50_ms:,.1f} / {self.p99_ms:,.1f} ms",
                f"p99 < {TARGET_P99_MS} ms",
                _verdict(self.p99_ms < TARGET_P99_MS),
            ),
        ]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


class _Workshop:
    """Opened tickets and who may move each: staff, or the ticket's customer."""

    def __init__(self, service: RepairProcess) -> None:
        self.service = service
        self.staff = service.staff("repair:workshop")
        self.customers: dict[str, dict[str, str]] = {}

    async def open(self, connection: Connection, n: int) -> str:
        customer = f"bench-owner-{n:06d}"
        body = {
            "market": "FR",
            "customer_id": customer,
            "device": {
                "identifier": {"kind": "imei", "value": luhn_imei(2 * 10**10 + n)},
                "category": "smartphone",
                "model": "pixel-7",
            },
            "symptoms": "cracked screen",
        }
        answer = await connection.post_json("/workshop/tickets", body, self.staff)
        if answer.status != 201:
            raise RuntimeError(f"opening a ticket: {answer.status} {answer.body[:200]!r}")
        ticket_id = str(answer.json()["ticket"]["ticket_id"])
        token = issue_token(self.service.keys, subject=customer, audience=STOREFRONT)
        self.customers[ticket_id] = {"Authorization": f"Bearer {token}"}
        return ticket_id

    async def move(self, connection: Connection, ticket_id: str, step: int) -> int:
        path, body, by_customer = MOVES[step]
        headers = self.customers[ticket_id] if by_customer else self.staff
        return (await connection.post_json(f"/tickets/{ticket_id}/{path}", body, headers)).status


IN_FLIGHT_PER_CLIENT = 4
"""Tickets in the workshop per client: more than one, so a client never waits on its own last move."""


class _Moves:
    """The moves ready to make, in the order they became ready, over a bounded set of tickets."""

    def __init__(self, tickets: list[str], in_flight: int) -> None:
        self.waiting = collections.deque(tickets)
        self.ready: collections.deque[tuple[str, int]] = collections.deque()
        for _ in range(min(in_flight, len(self.waiting))):
            self.ready.append((self.waiting.popleft(), 0))

    def take(self) -> tuple[str, int] | None:
        """The next move; when every ticket in the workshop awaits its last one, a fresh ticket
        comes in (work keeps arriving at a workshop that falls behind)."""
        if self.ready:
            return self.ready.popleft()
        return (self.waiting.popleft(), 0) if self.waiting else None

    def made(self, ticket_id: str, step: int) -> None:
        if step + 1 < len(MOVES):
            self.ready.append((ticket_id, step + 1))
        elif self.waiting:
            self.ready.append((self.waiting.popleft(), 0))


async def ticket_transitions(
    endpoints: Endpoints, *, seconds: float = 15, concurrency: int = 20, rate: float = TARGET_RATE
) -> TicketFigures:
    service = RepairProcess(endpoints)
    await service.start()
    try:
        workshop = _Workshop(service)
        connections = [Connection(service.url) for _ in range(concurrency)]
        # Enough tickets for both phases, opened beforehand (about 1,000 moves/s at the most here).
        wanted = int((rate * seconds * 1.5 + 1_500 * seconds) / len(MOVES)) + concurrency
        numbers = iter(range(wanted))
        tickets: list[str] = []

        async def opener(connection: Connection) -> None:
            for n in numbers:
                tickets.append(await workshop.open(connection, n))

        await asyncio.gather(*(opener(c) for c in connections))
        failures: list[int] = []
        moves = _Moves(tickets, IN_FLIGHT_PER_CLIENT * concurrency)

        # Saturation: each client takes the next ready move, makes it, and puts the ticket's next one back.
        moved = 0

        async def workshop_client(connection: Connection, stop_at: float) -> None:
            nonlocal moved
            while time.monotonic() < stop_at and (ready := moves.take()) is not None:
                ticket_id, step = ready
                status = await workshop.move(connection, ticket_id, step)
                if status != 200:
                    failures.append(status)
                moved += 1
                moves.made(ticket_id, step)

        cpu_before = cpu_seconds(service.pids())
        started = time.monotonic()
        await asyncio.gather(*(workshop_client(c, started + seconds) for c in connections))
        elapsed = time.monotonic() - started
        cpu_after = cpu_seconds(service.pids())

        # At a fixed rate: a move is sent when it is due, on whichever connection is free.
        def next_move() -> Call | None:
            if (ready := moves.take()) is None:
                return None
            ticket_id, step = ready

            async def move(connection: Connection) -> None:
                if (status := await workshop.move(connection, ticket_id, step)) != 200:
                    failures.append(status)
                moves.made(ticket_id, step)

            return move

        latencies = await at_a_fixed_rate(connections, rate, seconds, next_move)
        await asyncio.gather(*(c.close() for c in connections))
    finally:
        service.stop()
    if failures:
        print(f"  {len(failures)} transitions failed, e.g. HTTP {failures[0]}", flush=True)
    return TicketFigures(
        transitions=moved,
        seconds=elapsed,
        concurrency=concurrency,
        failures=len(failures),
        offered_rate=rate,
        at_rate_transitions=len(latencies),
        p50_ms=percentile(latencies, 50),
        p99_ms=percentile(latencies, 99),
        cpu_us_per_transition={k: (cpu_after[k] - cpu_before[k]) * 1e6 / max(moved, 1) for k in cpu_before},
    )
