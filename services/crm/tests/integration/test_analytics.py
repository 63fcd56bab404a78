"""The channel analytics, checked against the same figures computed independently from the history."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from crm.bootstrap import build
from reloop_contracts.sales import ReturnRecorded, SaleRecorded
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.support import Run, customer, key_store, new_id, reader, returned, rows, sale, settings, writer

pytestmark = pytest.mark.connected

SHOPS: list[dict[str, Any]] = [
    {
        "shop_id": "shop-paris",
        "kind": "own_shop",
        "market": "FR",
        "catchment_prefixes": ["75", "92"],
        "opened_on": "2026-03-01",
    },
    {
        "shop_id": "partner-berlin",
        "kind": "partner_shop",
        "market": "DE",
        "catchment_prefixes": ["10"],
        "opened_on": "2026-04-15",
    },
]
PREFIXES = {"FR": ["75", "92", "13", "69"], "DE": ["10", "80"], "ES": ["28", "08"], "IT": ["00", "20"]}
WINDOW = timedelta(days=30)


@dataclass
class History:
    sales: list[SaleRecorded] = field(default_factory=list)
    returns: list[ReturnRecorded] = field(default_factory=list)
    postal: dict[str, str] = field(default_factory=dict)  # sale id -> delivery postal code


async def generate(keyvault_url: str, seed: int = 11) -> History:
    r = random.Random(seed)
    history = History()
    start = datetime(2026, 1, 20, tzinfo=UTC)
    async with key_store(keyvault_url) as sealer:
        for n in range(240):
            market = r.choice(["FR", "FR", "DE", "DE", "ES", "IT"])
            at = start + timedelta(hours=r.randrange(24 * 140))
            channel = r.choices(["online", "own_shop", "partner_shop"], weights=[6, 2, 2])[0]
            if channel != "online" and market not in ("FR", "DE"):
                channel = "online"
            location = {"online": f"wh-{market}", "own_shop": "shop-paris", "partner_shop": "partner-berlin"}[channel]
            who = None
            sale_id = new_id(f"s{n}")
            if channel == "online" and r.random() < 0.85:
                subject = new_id("sub")
                postal = r.choice(PREFIXES[market]) + f"{r.randrange(1000):03d}"
                sealed = await sealer.seal(subject, {"email": f"{subject}@example.org", "delivery_postal_code": postal})
                who = customer(account=new_id("acc"), subject=subject, sealed=sealed)
                history.postal[sale_id] = postal
            device, accessories, services = r.choice([0, 1, 1, 1, 2]), r.choice([0, 0, 1, 2]), r.choice([0, 0, 0, 1])
            if not device + accessories + services:
                device = 1
            made = sale(
                sale_id,
                channel,
                location,
                who=who,
                at=at,
                market=market,
                device=device,
                accessories=accessories,
                services=services,
            )
            history.sales.append(made)
            if r.random() < 0.15:
                back = returned(
                    made, channel, location, at=at + timedelta(days=3), lines=r.choice([1, len(made.lines)])
                )
                history.returns.append(back)
    return history


def expected_channels(history: History) -> list[dict[str, Any]]:
    returned_units: dict[str, int] = {}
    for back in history.returns:
        returned_units[back.sale_id] = returned_units.get(back.sale_id, 0) + sum(line.quantity for line in back.lines)
    figures: dict[str, dict[str, int]] = {}
    for s in history.sales:
        units = {"refurbished_device": 0, "accessory": 0, "service": 0}
        for line in s.lines:
            units[line.kind] += line.quantity
        f = figures.setdefault(
            s.channel, dict.fromkeys(("sales", "ret", "sold", "back", "dev", "acc", "srv", "au", "su"), 0)
        )
        f["sales"] += 1
        f["ret"] += s.sale_id in returned_units
        f["sold"] += sum(units.values())
        f["back"] += returned_units.get(s.sale_id, 0)
        f["dev"] += units["refurbished_device"] > 0
        f["acc"] += units["refurbished_device"] > 0 and units["accessory"] > 0
        f["srv"] += units["refurbished_device"] > 0 and units["service"] > 0
        f["au"] += units["accessory"]
        f["su"] += units["service"]

    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    return [
        {
            "channel": channel,
            "sales": f["sales"],
            "returned_sales": f["ret"],
            "return_rate": share(f["ret"], f["sales"]),
            "units_sold": f["sold"],
            "units_returned": f["back"],
            "unit_return_rate": share(f["back"], f["sold"]),
            "device_sales": f["dev"],
            "accessory_attach_rate": share(f["acc"], f["dev"]),
            "service_attach_rate": share(f["srv"], f["dev"]),
            "accessories_per_sale": share(f["au"], f["sales"]),
            "services_per_sale": share(f["su"], f["sales"]),
        }
        for channel, f in sorted(figures.items())
    ]


def expected_halo(history: History) -> dict[str, Any]:
    with_shop = sorted({s["market"] for s in SHOPS} | {x.market for x in history.sales if x.channel != "online"})
    online = [x for x in history.sales if x.channel == "online"]

    def count(opened: date, inside: Callable[[SaleRecorded], bool]) -> tuple[int, int]:
        day = datetime.combine(opened, time(0), tzinfo=UTC)
        before = sum(1 for x in online if inside(x) and day - WINDOW <= x.sold_at < day)
        after = sum(1 for x in online if inside(x) and day <= x.sold_at < day + WINDOW)
        return before, after

    def compare(opened: date, inside: Callable[[SaleRecorded], bool]) -> dict[str, Any]:
        before, after = count(opened, inside)
        control_before, control_after = count(opened, lambda x: x.market not in with_shop)
        growth = after / before if before else None
        control = control_after / control_before if control_before else None
        lift = growth / control - 1 if growth is not None and control else None
        verdict = (
            "insufficient_data"
            if lift is None
            else "halo"
            if lift > 0.05
            else "cannibalisation"
            if lift < -0.05
            else "neutral"
        )
        return {
            "online_before": before,
            "online_after": after,
            "growth": growth,
            "control_before": control_before,
            "control_after": control_after,
            "control_growth": control,
            "lift": lift,
            "verdict": verdict,
        }

    shops = []
    for shop in sorted(SHOPS, key=lambda s: s["shop_id"]):
        opened = date.fromisoformat(shop["opened_on"])

        def in_catchment(x: SaleRecorded, shop: dict[str, Any] = shop) -> bool:
            return x.market == shop["market"] and history.postal.get(x.sale_id, "")[:2] in shop["catchment_prefixes"]

        shops.append(
            {
                "shop_id": shop["shop_id"],
                "kind": shop["kind"],
                "market": shop["market"],
                "opened_on": shop["opened_on"],
                "catchment_prefixes": sorted(shop["catchment_prefixes"]),
                **compare(opened, in_catchment),
            }
        )
    markets = []
    for market in sorted({s["market"] for s in SHOPS}):
        first = min(date.fromisoformat(s["opened_on"]) for s in SHOPS if s["market"] == market)

        def in_market(x: SaleRecorded, market: str = market) -> bool:
            return x.market == market

        markets.append({"market": market, "first_opened_on": first.isoformat(), **compare(first, in_market)})
    return {"window_days": WINDOW.days, "markets_with_a_shop": with_shop, "shops": shops, "markets": markets}


async def test_the_analytics_on_a_generated_history_match_an_independent_computation(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    history = await generate(keyvault_url)
    async with running(runtime), api(app) as client:
        for shop in SHOPS:
            assert (await client.post("/shops", json=shop, headers=writer())).status_code == 201
        await run.publish(*history.sales, *history.returns)

        async def all_counted() -> bool:
            counts = await rows(
                database_url,
                "SELECT (SELECT count(*) FROM sale_facts) AS s, (SELECT count(*) FROM return_facts) AS r,"
                " (SELECT count(*) FROM shops) AS shops",
            )
            return counts[0] == {"s": len(history.sales), "r": len(history.returns), "shops": len(SHOPS)}

        await eventually(all_counted, message="every sale, return and shop reached the analytics")
        channels = (await client.get("/analytics/channels", headers=reader())).json()
        halo = (await client.get("/analytics/halo", params={"window_days": WINDOW.days}, headers=reader())).json()

    assert channels == expected_channels(history)
    assert halo == expected_halo(history)
    assert all(shop["online_before"] and shop["online_after"] and shop["lift"] is not None for shop in halo["shops"])
    report = subprocess.run(
        [sys.executable, "-m", "reloop_shared.cli.main", "report", "--json", "--window-days", str(WINDOW.days)],
        env={**os.environ, **env, "CRM_SERVICE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    printed = json.loads(report.stdout)
    assert printed["channels"] == channels
    assert printed["halo"] == halo
