"""The trade-in figures, from a generated year of vouchers fed through CRM's consumer, against the
same figures computed independently here (and by the domain's definitions)."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crm.bootstrap import build
from crm.domain import trade_in_figures as figures
from reloop_contracts import Event
from reloop_contracts.trade_in import ShopGradingChecked, ShopTradeInRecorded, VoucherIssued, VoucherRedeemed
from reloop_localstack.testing import api, eventually, running
from services.crm.tests.support import Run, new_id, reader, rows, settings
from services.crm.tests.trade_in_events import grading_checked, issued, redeemed, shop_trade_in

pytestmark = pytest.mark.connected

YEAR = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF = datetime(2027, 1, 1, tzinfo=UTC)
SHOPS = {"shop-paris": "FR", "shop-lyon": "FR", "shop-madrid": "ES"}
NINETY_DAYS = timedelta(days=90)


@dataclass
class Year:
    vouchers: list[VoucherIssued] = field(default_factory=list)
    redemptions: list[VoucherRedeemed] = field(default_factory=list)
    shop_trade_ins: list[ShopTradeInRecorded] = field(default_factory=list)
    checks: list[ShopGradingChecked] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return [*self.vouchers, *self.redemptions, *self.shop_trade_ins, *self.checks]


def generate(seed: int = 14, vouchers: int = 2500) -> Year:
    r = random.Random(seed)
    year = Year()
    for n in range(vouchers):
        market = r.choice(["FR", "FR", "ES"])
        at = YEAR + timedelta(seconds=r.randrange(365 * 24 * 3600))
        amount = r.randrange(2_000, 40_000)
        voucher_id = new_id(f"v{n}")
        year.vouchers.append(issued(voucher_id, at, amount, market=market))
        if r.random() < 0.12:
            continue  # never used
        shops = [s for s, m in SHOPS.items() if m == market]
        delay = timedelta(seconds=r.randrange(90 * 24 * 3600) if r.random() < 0.8 else r.randrange(91, 300) * 86400)
        parts = [amount] if r.random() < 0.7 else [amount // 2, amount - amount // 2]
        for k, part in enumerate(parts):
            place = None if r.random() < 0.4 else r.choice(shops)
            basket = part + r.randrange(0, 3 * amount)
            year.redemptions.append(redeemed(voucher_id, new_id(f"sale{n}-{k}"), at + delay, part, basket, place))
            delay += timedelta(days=r.randrange(1, 60))
    # The edges of the window: exactly 90 days counts, a second later does not.
    for n, late in enumerate((timedelta(0), timedelta(seconds=1))):
        voucher_id = new_id(f"edge{n}")
        at = YEAR + timedelta(days=10)
        year.vouchers.append(issued(voucher_id, at, 10_000))
        year.redemptions.append(
            redeemed(voucher_id, new_id("sale-edge"), at + NINETY_DAYS + late, 10_000, 12_000, None)
        )
    accuracy = {"shop-paris": 0.9, "shop-lyon": 0.7, "shop-madrid": 0.8}
    for n in range(400):
        shop = r.choice(list(SHOPS))
        trade_in_id = new_id(f"t{n}")
        at = YEAR + timedelta(seconds=r.randrange(365 * 24 * 3600))
        year.shop_trade_ins.append(shop_trade_in(trade_in_id, shop, at))
        if r.random() < 0.75:
            year.checks.append(grading_checked(trade_in_id, shop, r.random() < accuracy[shop], at + timedelta(days=5)))
    return year


def expected(year: Year) -> dict[str, Any]:
    """The figures as the README defines them, computed here without CRM's code."""
    issue = {v.voucher_id: v for v in year.vouchers}
    first: dict[str, VoucherRedeemed] = {}
    for x in sorted(year.redemptions, key=lambda x: (x.at, x.sale_id)):
        first.setdefault(x.voucher_id, x)

    def place(x: VoucherRedeemed) -> str:
        return x.shop_id or "online"

    decidable = [v for v in year.vouchers if v.issued_at + NINETY_DAYS <= AS_OF]
    in_time = [v for v in decidable if v.voucher_id in first and first[v.voucher_id].at - v.issued_at <= NINETY_DAYS]
    markets = sorted({v.market for v in decidable})
    total = {m: sum(1 for v in decidable if v.market == m) for m in markets}
    redemption = [
        {
            "market": m,
            "decidable": total[m],
            "redeemed_in_time": sum(1 for v in in_time if v.market == m),
            "rate": sum(1 for v in in_time if v.market == m) / total[m],
        }
        for m in markets
    ]
    places = sorted({(v.market, place(first[v.voucher_id])) for v in in_time})
    by_place = []
    for m, p in places:
        count = sum(1 for v in in_time if v.market == m and place(first[v.voucher_id]) == p)
        by_place.append(
            {"market": m, "place": p, "decidable": total[m], "redeemed_in_time": count, "share": count / total[m]}
        )
    ratios: dict[tuple[str, ...], list[float]] = {}
    for x in year.redemptions:
        if x.at <= AS_OF:
            v = issue[x.voucher_id]
            ratio = x.basket.amount_minor / v.amount.amount_minor
            ratios.setdefault((v.market,), []).append(ratio)
            ratios.setdefault((v.market, place(x)), []).append(ratio)

    def uplift(key: tuple[str, ...]) -> dict[str, Any]:
        found = ratios[key]
        where = dict(zip(("market", "place"), key, strict=False))
        return {
            **where,
            "redemptions": len(found),
            "median_ratio": statistics.median(found),
            "mean_ratio": sum(found) / len(found),
        }

    hubs: dict[tuple[str, str], int] = {}
    for t in (t for t in year.shop_trade_ins if t.recorded_at <= AS_OF):
        key = (t.shop_id, t.recorded_at.strftime("%Y-%m"))
        hubs[key] = hubs.get(key, 0) + 1
    checks = {s: [c.accurate for c in year.checks if c.shop_id == s and c.checked_at <= AS_OF] for s in sorted(SHOPS)}
    return {
        "as_of": AS_OF.isoformat(),
        "window_days": 90,
        "redemption": redemption,
        "redemption_by_place": by_place,
        "basket_uplift": [uplift(k) for k in sorted(k for k in ratios if len(k) == 1)],
        "basket_uplift_by_place": [uplift(k) for k in sorted(k for k in ratios if len(k) == 2)],
        "hub_volumes": [{"shop_id": s, "month": m, "trade_ins": n} for (s, m), n in sorted(hubs.items())],
        "grading_accuracy": [
            {"shop_id": s, "checks": len(c), "accurate": sum(c), "accuracy": sum(c) / len(c)} for s, c in checks.items()
        ],
    }


def assert_same_figures(found: dict[str, Any], wanted: dict[str, Any]) -> None:
    """Counts and rates exactly; medians and means of the ratios far closer than a cent."""
    for section in ("basket_uplift", "basket_uplift_by_place"):
        assert [{**u, "median_ratio": None, "mean_ratio": None} for u in found[section]] == [
            {**u, "median_ratio": None, "mean_ratio": None} for u in wanted[section]
        ]
        for f, w in zip(found[section], wanted[section], strict=True):
            assert f["median_ratio"] == pytest.approx(w["median_ratio"], abs=1e-9)
            assert f["mean_ratio"] == pytest.approx(w["mean_ratio"], abs=1e-9)
    rest = set(wanted) - {"basket_uplift", "basket_uplift_by_place"}
    assert {k: found[k] for k in rest} == {k: wanted[k] for k in rest}


def by_definition(year: Year) -> dict[str, Any]:
    """The same figures from the domain's definitions, shaped as the report."""
    vouchers = [
        figures.IssuedVoucher(v.voucher_id, v.market, v.amount.amount_minor, v.issued_at) for v in year.vouchers
    ]
    redemptions = [
        figures.Redemption(x.voucher_id, x.sale_id, figures.place_of(x.channel, x.shop_id), x.basket.amount_minor, x.at)
        for x in year.redemptions
    ]
    rates, shares = figures.redemption_rates(vouchers, redemptions, AS_OF)
    per_market, per_place = figures.basket_uplift(vouchers, redemptions, AS_OF)
    return {
        "redemption": [
            {"market": r.market, "decidable": r.decidable, "redeemed_in_time": r.redeemed_in_time, "rate": r.rate}
            for r in rates
        ],
        "redemption_by_place": [
            {
                "market": s.market,
                "place": s.place,
                "decidable": s.decidable,
                "redeemed_in_time": s.redeemed_in_time,
                "share": s.share,
            }
            for s in shares
        ],
        "uplift": [(u.market, u.place, u.redemptions) for u in [*per_market, *per_place]],
        "hub_volumes": figures.hub_volumes([(t.shop_id, t.recorded_at) for t in year.shop_trade_ins], AS_OF),
        "grading": figures.grading_accuracy([(c.shop_id, c.accurate, c.checked_at) for c in year.checks], AS_OF),
    }


def test_the_generated_year_exercises_every_case_of_the_definitions() -> None:
    year = generate()
    wanted = expected(year)
    young = [v for v in year.vouchers if v.issued_at + NINETY_DAYS > AS_OF]
    late = [x for x in year.redemptions if x.at > AS_OF]

    assert len(year.vouchers) > 2000
    assert young
    assert late
    assert any(c.checked_at > AS_OF for c in year.checks)
    assert {r["market"] for r in wanted["redemption"]} == {"ES", "FR"}
    assert {p["place"] for p in wanted["redemption_by_place"]} == {"online", *SHOPS}
    assert all(0.6 < r["rate"] < 0.9 for r in wanted["redemption"])
    # The domain's definitions agree with the independent computation.
    defined = by_definition(year)
    assert defined["redemption"] == wanted["redemption"]
    assert defined["redemption_by_place"] == wanted["redemption_by_place"]
    uplift = [*wanted["basket_uplift"], *wanted["basket_uplift_by_place"]]
    assert defined["uplift"] == [(u["market"], u.get("place"), u["redemptions"]) for u in uplift]
    assert [(h.shop_id, h.month, h.trade_ins) for h in defined["hub_volumes"]] == [
        (h["shop_id"], h["month"], h["trade_ins"]) for h in wanted["hub_volumes"]
    ]
    assert [(g.shop_id, g.checks, g.accurate) for g in defined["grading"]] == [
        (g["shop_id"], g["checks"], g["accurate"]) for g in wanted["grading_accuracy"]
    ]


async def test_the_trade_in_figures_over_a_generated_year_match_an_independent_computation(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url))
    year = generate()
    async with running(runtime), api(app) as client:
        await run.publish(*year.events, producer="trade-in")

        async def all_counted() -> bool:
            counts = await rows(
                database_url,
                "SELECT (SELECT count(*) FROM voucher_facts) AS v, (SELECT count(*) FROM redemption_facts) AS r,"
                " (SELECT count(*) FROM shop_trade_in_facts) AS t, (SELECT count(*) FROM grading_check_facts) AS g",
            )
            wanted = {"v": len(year.vouchers), "r": len(year.redemptions), "t": len(year.shop_trade_ins)}
            return counts[0] == {**wanted, "g": len(year.checks)}

        await eventually(all_counted, timeout=120, message="every voucher, redemption and shop trade-in was counted")
        answer = await client.get("/analytics/trade-ins", params={"as_of": AS_OF.isoformat()}, headers=reader())

    assert answer.status_code == 200
    assert_same_figures(answer.json(), expected(year))
    report = subprocess.run(
        [sys.executable, "-m", "reloop_shared.cli.main", "report", "--json", "--as-of", AS_OF.isoformat()],
        env={**os.environ, **env, "CRM_SERVICE_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(report.stdout)["trade_ins"] == answer.json()
