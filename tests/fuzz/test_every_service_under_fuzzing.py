"""Every service, running for real on the session's Kafka and PostgreSQL, fuzzed through its OpenAPI
document by schemathesis (positive and negative cases) with valid credentials for each kind of
caller its routes take: no answer is a 5xx, and every answer is one the document declares, with
the declared content type and schema. Without credentials, every route that is not public
answers 401 or 403, whatever it is sent."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest
from fastapi import FastAPI

from catalog.bootstrap import build as build_catalog
from catalog.config import CatalogSettings
from crm.bootstrap import build as build_crm
from crm.config import CrmSettings
from inventory.bootstrap import build as build_inventory
from inventory.config import InventorySettings
from orders.bootstrap import build as build_orders
from orders.config import OrdersSettings
from reloop_localstack.testing import running, service_settings
from reloop_shared.http.authentication import guards
from reloop_shared.runtime import ServiceRuntime
from repair.bootstrap import build as build_repair
from repair.config import RepairSettings
from store_sync.bootstrap import build as build_store_sync
from store_sync.config import StoreSyncSettings
from tests.fuzz import callers
from tests.fuzz.schemathesis_cli import Verdict, fuzz
from tests.fuzz.serving import served
from trade_in.bootstrap import build as build_trade_in
from trade_in.config import TradeInSettings

pytestmark = pytest.mark.connected

Build = Callable[[dict[str, str], str], tuple[ServiceRuntime, FastAPI]]

SERVICES: dict[str, Build] = {
    "catalog": lambda env, db: build_catalog(service_settings(CatalogSettings, env, db)),
    "inventory": lambda env, db: build_inventory(service_settings(InventorySettings, env, db)),
    "orders": lambda env, db: build_orders(service_settings(OrdersSettings, env, db)),
    # No trade-in answers here: a till asking for a voucher hold hears "pending" at once.
    "store-sync": lambda env, db: build_store_sync(
        service_settings(StoreSyncSettings, env, db, voucher_hold_wait_s=0.0)
    ),
    # The segment job would only add load while the edge is fuzzed.
    "crm": lambda env, db: build_crm(service_settings(CrmSettings, env, db, segment_interval_s=3600.0)),
    # The deadline and voucher sweeps would only add load while the edge is fuzzed.
    "trade-in": lambda env, db: build_trade_in(service_settings(TradeInSettings, env, db, deadline_sweep_s=3600.0)),
    # The renewal run would only add load while the edge is fuzzed.
    "repair": lambda env, db: build_repair(service_settings(RepairSettings, env, db, renewal_sweep_s=3600.0)),
}


@pytest.mark.parametrize("service", list(SERVICES))
async def test_fuzzing_a_service_finds_no_5xx_and_only_declared_answers(
    service: str, env: dict[str, str], database_url: str
) -> None:
    started = time.monotonic()
    runtime, app = SERVICES[service](env, database_url)
    kinds = guards(app)
    async with running(runtime), served(app) as (base_url, answers):
        schema = f"{base_url}/openapi.json"
        campaigns = [callers.staff(app), callers.customer(app), await callers.shop(app, base_url)]
        verdicts: list[Verdict] = []
        guarded: dict[str, tuple[int, int]] = {}
        for campaign in [c for c in campaigns if c is not None] + [callers.anyone(app)]:
            before = Counter(answers.by_route)
            verdicts.append(await fuzz(schema, campaign))
            doors = {op for op in campaign.operations if kinds[op] != "public"}
            guarded[campaign.name] = _refused_and_let_in(answers.by_route - before, doors)
    print(f"\n{service}: fuzzed in {time.monotonic() - started:.0f}s, answers {dict(answers.statuses())}")
    print("\n".join(verdict.summary() for verdict in verdicts))

    assert answers.server_errors() == {}
    failed = [verdict for verdict in verdicts if verdict.failures or verdict.errors or not verdict.tested]
    assert not failed, "\n\n".join(verdict.explained() for verdict in failed)
    # The credentials opened every guarded route they were sent to, so the checks above judged the
    # routes' own answers, not a wall of 401s; without credentials nothing but refusals came back.
    refused, let_in = guarded.pop(callers.anyone(app).name)
    assert (refused > 0, let_in) == (True, 0)
    assert {name: (refused, let_in > 0) for name, (refused, let_in) in guarded.items()} == dict.fromkeys(
        guarded, (0, True)
    )


def _refused_and_let_in(answered: Counter[tuple[str, int]], doors: set[str]) -> tuple[int, int]:
    """How many calls to `doors` the server itself answered 401 or 403, and how many it let in."""
    refused = sum(n for (route, status), n in answered.items() if route in doors and status in (401, 403))
    let_in = sum(n for (route, status), n in answered.items() if route in doors and status not in (401, 403))
    return refused, let_in
