"""One unit is never sold twice: 200 races between an online click-and-collect checkout and a
shop hand-over of the same unit, applied concurrently by the real consumer."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from inventory.bootstrap import build
from reloop_contracts import Event
from reloop_contracts import inventory as contract
from reloop_localstack.testing import api, publish, read_events, running
from services.inventory.tests.support import available_unit, device_sale, list_skus, location, new_sku, settings

pytestmark = pytest.mark.connected

RACES = 200


async def test_two_hundred_races_for_one_unit_never_sell_it_twice_and_every_loser_is_told(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    run = uuid.uuid4().hex[:6]
    async with running(runtime), api(app) as client:
        shop = await location(client, f"shop-{run}", "own_shop")
        skus = [new_sku(f"RACE{i}") for i in range(RACES)]
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "very_good") for sku in skus])
        contested: dict[int, str] = {}
        substitute: dict[int, str] = {}
        for i, sku in enumerate(skus):
            contested[i] = await available_unit(client, sku, shop)
            if i % 2 == 0:  # half of the races have an equivalent unit left to offer
                substitute[i] = await available_unit(client, sku, shop)
        race: list[Event] = []
        for i, sku in enumerate(skus):
            race.append(
                contract.ReservationRequested(
                    reservation_id=f"web-{run}-{i}",
                    channel="online",
                    market="FR",
                    location_id=shop,
                    lines=[
                        contract.RequestedLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=contested[i])
                    ],
                    requested_at=datetime.now(UTC),
                )
            )
            race.append(device_sale(f"till-{run}-{i}", "own_shop", shop, sku, contested[i]))
        await publish(bootstrap, race)

        web = {f"web-{run}-{i}": i for i in range(RACES)}
        tills = {f"till-{run}-{i}": i for i in range(RACES)}

        def settled(events: list[Event]) -> bool:
            final = {
                getattr(e, "reservation_id", None) for e in events if not isinstance(e, contract.ReservationConfirmed)
            }
            return len(final) == RACES

        outcomes = await read_events(
            bootstrap,
            contract.RESERVATIONS,
            lambda e: getattr(e, "reservation_id", None) in web,
            until=settled,
            timeout=120,
        )
        allocations = await read_events(
            bootstrap,
            contract.SALE_ALLOCATIONS,
            lambda e: isinstance(e, contract.SaleAllocated) and e.sale_id in tills,
            expect=RACES,
            timeout=120,
        )
        async with runtime.pool.acquire() as conn:
            doubled = await conn.fetchval(
                "SELECT count(*) FROM (SELECT unit_id FROM sale_lines WHERE unit_id IS NOT NULL "
                "GROUP BY unit_id HAVING count(*) > 1) d"
            )
            sold_to_tills = await conn.fetchval(
                "SELECT count(*) FROM units WHERE status = 'sold' AND sale_id LIKE $1", f"till-{run}-%"
            )

    assert doubled == 0, "no unit is held by two sales"
    assert sold_to_tills == RACES, "every hand-over in the shop stands"
    assert len(allocations) == RACES
    for allocation in allocations:
        assert isinstance(allocation, contract.SaleAllocated)
        assert allocation.conflicts == [], "the shop hand-over always wins"

    per_hold: dict[str, list[Event]] = defaultdict(list)
    for event in outcomes:
        per_hold[getattr(event, "reservation_id", "")].append(event)
    shop_first = web_first = 0
    for reservation_id, i in web.items():
        told = per_hold[reservation_id]
        last = told[-1]
        if isinstance(last, contract.ReservationRejected):
            shop_first += 1
            assert last.reason == "unit_taken"
            offered = [s.unit_id for s in last.substitutes]
            assert offered == ([substitute[i]] if i in substitute else []), "an equivalent unit is offered if any"
        elif i in substitute:
            web_first += 1
            assert isinstance(told[0], contract.ReservationConfirmed)
            assert isinstance(last, contract.ReservationReallocated), "the hold moves to the equivalent unit"
            assert (last.previous_unit_id, last.unit_id) == (contested[i], substitute[i])
        else:
            web_first += 1
            assert isinstance(told[0], contract.ReservationConfirmed)
            assert isinstance(last, contract.ReservationBroken), "with nothing equivalent left, the line is lost"
            assert last.unit_id == contested[i]
    print(f"\n{RACES} races: the shop sale came first {shop_first} times, the online hold {web_first} times")
