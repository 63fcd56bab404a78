"""Repair renewal bench: a renewal run over 100,000 subscriptions due at once, each charged exactly
once for the period (verified in the ledger), in < 60 s.

repair runs as its own process (`RepairProcess`), on a fresh database that its migrations create.
The bench seeds the subscriptions straight into its tables (`COPY`): each paid its first month a
month ago, so its next period is due now; one in a hundred has a scripted decline waiting, so the
run takes the dunning path too (declined, past due, a retry scheduled). Then staff ask the service
for a run (`POST /renewal-runs`): the service's own run, its runner tasks claiming batches with
`FOR UPDATE SKIP LOCKED` as the scheduled run does, with the outbox relay publishing beside it.
The clock runs from the request to its answer. At the end the ledger is read straight from the
database: every subscription has exactly one paid charge for the period, or (the scripted ones)
one declined attempt and none paid.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

from bench.foundation import cpu_seconds
from bench.services import ServiceProcess
from reloop_localstack.stack import Endpoints
from reloop_shared.auth.keys import LocalKeySet
from reloop_shared.auth.principal import STAFF
from reloop_shared.auth.tokens import issue_token

TARGET_SECONDS = 60.0
PRICE = 699
DECLINED_ONE_IN = 100
RUNNERS = 4


class RepairProcess(ServiceProcess):
    def __init__(self, endpoints: Endpoints, *, runners: int = RUNNERS) -> None:
        namespace = f"bench{uuid.uuid4().hex[:6]}"
        self.keys = LocalKeySet(Path(tempfile.mkdtemp(prefix="bench-keys-")) / "signing-keys.json")
        self.keys.signing_key()
        super().__init__(
            endpoints,
            "repair",
            "REPAIR_",
            namespace,
            extra_env={
                "RELOOP_JWKS": str(self.keys.path),
                "REPAIR_CONSUMER_GROUP_SUFFIX": f"-{namespace}",
                "REPAIR_RELAY_BATCH_SIZE": "1000",
                # The run measured is the one staff ask for: the scheduled one stays out of its way.
                "REPAIR_RENEWAL_SWEEP_S": "3600",
                "REPAIR_RENEWAL_RUNNERS": str(runners),
                "REPAIR_DB_POOL_SIZE": str(runners + 6),
            },
        )

    def staff(self, *scopes: str) -> dict[str, str]:
        token = issue_token(self.keys, subject="bench-back-office", audience=STAFF, scopes=list(scopes))
        return {"Authorization": f"Bearer {token}"}


@dataclass
class RenewalFigures:
    subscriptions: int
    scripted_declines: int
    runners: int
    seconds: float
    answer: dict[str, int]
    """What the service said the run did."""
    paid_once: int
    """Subscriptions with exactly one paid charge for the period."""
    charged_twice: int
    """(subscription, period) pairs with more than one paid charge: must be none."""
    declined_unpaid: int
    """Scripted ones with one declined attempt, nothing paid, and past due."""
    renewed_events: int
    cpu_us_per_subscription: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.subscriptions / self.seconds

    @property
    def exactly_once(self) -> bool:
        paying = self.subscriptions - self.scripted_declines
        return (
            self.charged_twice == 0
            and self.paid_once == paying
            and self.declined_unpaid == self.scripted_declines
            and self.renewed_events == paying
            and self.answer.get("renewed") == paying
        )

    @property
    def met(self) -> bool:
        return self.seconds < TARGET_SECONDS and self.exactly_once

    def rows(self) -> list[tuple[str, str, str, str]]:
        a = self.answer
        return [
            (
                "load",
                f"{self.subscriptions:,} subscriptions due at once, 1 in {DECLINED_ONE_IN} declined",
                "",
                "",
            ),
            (
                f"renewal run (POST /renewal-runs, {self.runners} runners, SKIP LOCKED batches)",
                f"{self.seconds:,.1f} s",
                f"< {TARGET_SECONDS:.0f} s",
                _verdict(self.seconds < TARGET_SECONDS),
            ),
            ("  subscriptions settled", f"{self.rate:,.0f}/s", "", ""),
            (
                "  renewed / failed / past due (the service's answer)",
                f"{a.get('renewed', 0):,} / {a.get('failed', 0):,} / {a.get('past_due', 0):,}",
                "",
                "",
            ),
            (
                "charged exactly once for the period (ledger)",
                f"{self.paid_once:,} of {self.subscriptions - self.scripted_declines:,}",
                "all",
                _verdict(self.paid_once == self.subscriptions - self.scripted_declines),
            ),
            ("  periods paid twice (ledger)", f"{self.charged_twice:,}", "0", _verdict(self.charged_twice == 0)),
            (
                "  declined: one attempt, nothing paid, past due",
                f"{self.declined_unpaid:,} of {self.scripted_declines:,}",
                "all",
                _verdict(self.declined_unpaid == self.scripted_declines),
            ),
            (
                "  SubscriptionRenewed in the outbox",
                f"{self.renewed_events:,}",
                f"{self.subscriptions - self.scripted_declines:,}",
                _verdict(self.renewed_events == self.subscriptions - self.scripted_declines),
            ),
            *[
                (f"  CPU per subscription: {part}", f"{us:,.0f} us", "", "")
                for part, us in self.cpu_us_per_subscription.items()
            ],
        ]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


async def _seed(database_url: str, count: int, due: datetime) -> int:
    """`count` subscriptions whose first month (paid a month before `due`) ends at `due`; every
    `DECLINED_ONE_IN`th has a decline scripted. Answers how many are scripted."""
    started = due - timedelta(days=31)
    ids = [f"rs_bench{n:07d}" for n in range(count)]
    declined = ids[::DECLINED_ONE_IN]
    conn = await asyncpg.connect(database_url)
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "subscriptions",
                columns=[
                    "subscription_id",
                    "customer_id",
                    "market",
                    "currency",
                    "price_minor",
                    "channel",
                    "started_at",
                    "period_start",
                    "paid_through",
                    "status",
                    "waiting_days",
                    "claims_per_device_per_year",
                    "devices_per_subscription",
                ],
                records=[
                    (s, f"acct-{n}", "FR", "EUR", PRICE, "online", started, started, due, "active", 30, 3, 3)
                    for n, s in enumerate(ids)
                ],
            )
            await conn.copy_records_to_table(
                "subscription_devices",
                columns=[
                    "subscription_id",
                    "position",
                    "identifier_kind",
                    "identifier_value",
                    "category",
                    "model",
                    "live",
                ],
                records=[(s, 0, "serial", f"BENCH{n:09d}", "smartphone", "iphone-13", True) for n, s in enumerate(ids)],
            )
            await conn.copy_records_to_table(
                "billing_charges",
                columns=[
                    "charge_id",
                    "subscription_id",
                    "period_start",
                    "attempt",
                    "outcome",
                    "amount_minor",
                    "currency",
                    "at",
                ],
                records=[(f"ch_seed{n:07d}", s, started, 1, "paid", PRICE, "EUR", started) for n, s in enumerate(ids)],
            )
            await conn.copy_records_to_table(
                "renewal_schedule", columns=["subscription_id", "due_at"], records=[(s, due) for s in ids]
            )
            await conn.copy_records_to_table(
                "billing_scripted_declines",
                columns=["subscription_id", "remaining", "reason"],
                records=[(s, 1, "insufficient_funds") for s in declined],
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return len(declined)


async def _ledger(database_url: str, due: datetime) -> tuple[int, int, int, int]:
    """Straight from repair's tables: subscriptions paid exactly once for the period due, periods
    paid more than once, scripted ones declined once with nothing paid and past due, and the
    renewals in the outbox."""
    conn = await asyncpg.connect(database_url)
    try:
        paid_once = await conn.fetchval(
            """
            SELECT count(*) FROM (
                SELECT subscription_id FROM billing_charges WHERE period_start = $1 AND outcome = 'paid'
                GROUP BY subscription_id HAVING count(*) = 1
            ) once
            """,
            due,
        )
        twice = await conn.fetchval(
            """
            SELECT count(*) FROM (
                SELECT 1 FROM billing_charges WHERE outcome = 'paid'
                GROUP BY subscription_id, period_start HAVING count(*) > 1
            ) twice
            """
        )
        declined = await conn.fetchval(
            """
            SELECT count(*) FROM subscriptions s JOIN billing_scripted_declines d USING (subscription_id)
            WHERE s.status = 'past_due'
              AND (SELECT count(*) FROM billing_charges c
                   WHERE c.subscription_id = s.subscription_id AND c.period_start = $1 AND c.outcome = 'declined') = 1
              AND NOT EXISTS (SELECT 1 FROM billing_charges c
                              WHERE c.subscription_id = s.subscription_id AND c.period_start = $1
                                AND c.outcome = 'paid')
            """,
            due,
        )
        renewed = await conn.fetchval("SELECT count(*) FROM outbox WHERE event_type = 'SubscriptionRenewed'")
    finally:
        await conn.close()
    return paid_once, twice, declined, renewed


async def renewal_run(endpoints: Endpoints, subscriptions: int = 100_000, *, runners: int = RUNNERS) -> RenewalFigures:
    service = RepairProcess(endpoints, runners=runners)
    await service.start()
    try:
        due = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
        scripted = await _seed(service.database_url, subscriptions, due)
        cpu_before = cpu_seconds(service.pids())
        async with httpx.AsyncClient(
            base_url=service.url, headers=service.staff("repair:subscriptions"), timeout=900
        ) as client:
            started = time.perf_counter()
            answer = await client.post("/renewal-runs", json={})
            seconds = time.perf_counter() - started
        answer.raise_for_status()
        cpu_after = cpu_seconds(service.pids())
        paid_once, twice, declined, renewed = await _ledger(service.database_url, due)
    finally:
        service.stop()
    body = answer.json()
    return RenewalFigures(
        subscriptions=subscriptions,
        scripted_declines=scripted,
        runners=runners,
        seconds=seconds,
        answer={k: v for k, v in body.items() if isinstance(v, int)},
        paid_once=paid_once,
        charged_twice=twice,
        declined_unpaid=declined,
        renewed_events=renewed,
        cpu_us_per_subscription={k: (cpu_after[k] - cpu_before[k]) * 1e6 / subscriptions for k in cpu_before},
    )
