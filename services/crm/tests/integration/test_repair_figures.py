"""The repair plan figures, from a generated year of subscriptions and tickets fed through the real
topics into CRM, against the same figures computed independently (`tests/repair_year.py`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable

import pytest

from crm.bootstrap import build
from reloop_contracts import repair
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.repair_year import AS_OF, expected, generate
from services.crm.tests.support import Run, reader, rows, settings

pytestmark = pytest.mark.connected


async def test_plan_members_churn_and_claims_per_member_over_a_generated_year_match_an_independent_computation(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    year = generate()
    starts = sum(1 for e in year.subscriptions if isinstance(e, repair.SubscriptionStarted))
    states = sum(1 for e in year.subscriptions if not isinstance(e, repair.PaymentFailed))
    async with running(runtime), api(app) as client:
        # Twice: a producer's retry publishes the same steps again, and nothing is counted twice.
        await run.publish(*year.events, *year.subscriptions[:200], producer="repair")

        async def all_counted() -> bool:
            counts = await rows(
                database_url,
                "SELECT (SELECT count(*) FROM subscription_facts) AS s,"
                " (SELECT count(*) FROM subscription_status_facts) AS st,"
                " (SELECT count(*) FROM repair_ticket_facts) AS t",
            )
            return counts == [{"s": starts, "st": states, "t": len(year.tickets)}]

        await eventually(all_counted, timeout=120, message="every subscription, state and ticket was counted")
        answer = await client.get("/analytics/repairs", params={"as_of": AS_OF.isoformat()}, headers=reader())
        refused = await client.get("/analytics/repairs")

    assert answer.status_code == 200
    assert answer.json() == expected(year)
    assert refused.status_code == 401
    report = subprocess.run(
        [sys.executable, "-m", "reloop_shared.cli.main", "report", "--json", "--as-of", AS_OF.isoformat()],
        env={**os.environ, **env, "CRM_SERVICE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(report.stdout)["repairs"] == answer.json()
    tables = subprocess.run(
        [sys.executable, "-m", "reloop_shared.cli.main", "report", "--as-of", AS_OF.isoformat()],
        env={**os.environ, **env, "CRM_SERVICE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Repair plan members" in tables
    assert "Repair plan per month" in tables
