"""Shops for the channel analytics come from store-sync's registry; a declaration made in CRM wins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from crm.bootstrap import build
from reloop_contracts.store import CustomerDataPolicy, ShopRegistered
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.support import Run, reader, settings, writer

pytestmark = pytest.mark.connected

REGISTERED_AT = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)


def registered(shop_id: str, kind: str, postal_code: str | None = None, opens_on: date | None = None) -> ShopRegistered:
    owner = "reloop" if kind == "own_shop" else "partner"
    return ShopRegistered(
        shop_id=shop_id,
        name=shop_id,
        kind=kind,
        market="FR",
        currency="EUR",
        timezone="Europe/Paris",
        operator_id=None if kind == "own_shop" else "telco-fr",
        customer_data=CustomerDataPolicy(data_owner=owner, crm_sharing="with_consent"),
        registered_at=REGISTERED_AT,
        postal_code=postal_code,
        opens_on=opens_on,
    )


async def test_registered_shops_enter_the_analytics_and_a_declaration_overrides_them_in_either_order(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run = Run(env)
    runtime, app = build(settings(run, env, await new_database(), await new_database()))
    async with running(runtime), api(app) as client:

        async def declare(shop_id: str, prefixes: list[str], opened_on: str) -> None:
            body = {"shop_id": shop_id, "kind": "own_shop", "market": "FR", "catchment_prefixes": prefixes}
            answer = await client.post("/shops", json={**body, "opened_on": opened_on}, headers=writer())
            assert answer.status_code == 201, answer.text

        await declare("shop-nantes", ["44", "85"], "2026-07-01")  # before the registry says anything
        await run.publish(
            registered("shop-lyon", "own_shop", "69002", date(2026, 6, 1)),
            registered("partner-lille", "partner_shop"),
            registered("shop-nantes", "own_shop", "44000", date(2026, 6, 20)),
            producer="store-sync",
        )

        async def shops() -> dict[str, Any]:
            answer = (await client.get("/analytics/halo", headers=reader())).json()
            return {s["shop_id"]: (s["kind"], s["catchment_prefixes"], s["opened_on"]) for s in answer["shops"]}

        async def all_three() -> bool:
            return len(await shops()) == 3

        await eventually(all_three, message="CRM read the registry")
        assert await shops() == {
            "shop-lyon": ("own_shop", ["69"], "2026-06-01"),
            "partner-lille": ("partner_shop", [], "2026-05-04"),  # no postal code: its market only
            "shop-nantes": ("own_shop", ["44", "85"], "2026-07-01"),  # declared first, and kept
        }
        await declare("shop-lyon", ["01", "69"], "2026-06-02")  # after the registry
        assert (await shops())["shop-lyon"] == ("own_shop", ["01", "69"], "2026-06-02")
