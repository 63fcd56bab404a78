"""A device reloop sold comes back, on the running service with real Kafka and PostgreSQL: traded
back in, it enters as a new unit with its trade-in origin while the sold unit keeps its history;
and the database's index over units still ours holds the rule when receipts race.

The rule on every path (receipts, returns, counts) is proved on the twin in
`tests/unit/test_device_comes_back.py`, the consumer's dead letters in `tests/messaging/`."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from inventory.adapters.postgres_unit_of_work import PostgresInventoryUnitOfWork
from inventory.adapters.translators import to_contract
from inventory.bootstrap import build
from inventory.domain.device_history import IdentifierInStock
from inventory.domain.locations import Location
from inventory.domain.units import Unit
from reloop_contracts import Event, NonNegativeMoney, trade_in
from reloop_contracts import inventory as contract
from reloop_contracts.inventory import DeviceIdentifier
from reloop_localstack.testing import api, eventually, luhn_imei, publish, read_events, running
from services.inventory.tests.support import (
    available_unit,
    device_sale,
    list_skus,
    location,
    new_sku,
    reader,
    settings,
    unit_status,
    writer,
)

pytestmark = pytest.mark.connected


async def test_a_sold_device_traded_back_in_is_a_new_unit_and_the_sold_unit_keeps_its_history(
    env: dict[str, str], database_url: str
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, suffix = new_sku(), uuid.uuid4().hex[:8]
    centre = f"centre-{suffix}"
    runtime, app = build(settings(env, database_url).model_copy(update={"trade_in_centre": centre}))
    async with running(runtime), api(app) as client:
        await location(client, centre, "refurbishment_centre")
        shop = await location(client, f"shop-{suffix}", "own_shop")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "very_good")])
        sold = await available_unit(client, sku, shop)
        imei = (await client.get(f"/units/{sold}", headers=reader())).json()["identifier"]
        sale = device_sale(f"SALE-{suffix}", "own_shop", shop, sku, sold)
        await publish(bootstrap, [sale], producer="store-sync")

        async def is_sold() -> bool:
            return await unit_status(client, sold) == "sold"

        await eventually(is_sold, message="the shop sale was applied")
        ready = trade_in.TradeInUnitReady(
            trade_in_id=f"TI-{suffix}",
            unit_id=f"U-TI-{suffix}",
            sku=sku,
            identifier=DeviceIdentifier(kind="imei", value=imei),
            grade="very_good",
            acquired_for=NonNegativeMoney(amount_minor=20500, currency="EUR"),
            ready_at=datetime.now(UTC),
        )
        await publish(bootstrap, [ready], producer="trade-in")

        async def back_in_stock() -> bool:
            return (await client.get(f"/units/{ready.unit_id}", headers=reader())).status_code == 200

        await eventually(back_in_stock, message="the traded-back device entered stock, not a dead letter")
        new = (await client.get(f"/units/{ready.unit_id}", headers=reader())).json()
        old = (await client.get(f"/units/{sold}", headers=reader())).json()

        def about_the_device(event: Event) -> bool:
            return isinstance(event, contract.UnitReceived | contract.UnitStatusChanged) and event.unit_id in {
                sold,
                ready.unit_id,
            }

        lifecycle = await read_events(bootstrap, contract.UNITS, about_the_device, expect=4)

    assert (new["status"], new["identifier"], new["location_id"], new["previous_unit_id"]) == (
        "received",
        imei,
        centre,
        sold,
    )
    assert new["origin"] == {
        "kind": "trade_in",
        "trade_in_id": ready.trade_in_id,
        "acquired_for": {"amount_minor": 20500, "currency": "EUR"},
    }
    assert (old["status"], old["sale_id"], old["identifier"], old["previous_unit_id"]) == (
        "sold",
        sale.sale_id,
        imei,
        None,
    )
    # Keyed by unit, so in order per unit (not across the two).
    steps: dict[str, list[str]] = {sold: [], ready.unit_id: []}
    for e in lifecycle:
        if isinstance(e, contract.UnitReceived):
            steps[e.unit_id].append("received")
        elif isinstance(e, contract.UnitStatusChanged):
            steps[e.unit_id].append(f"{e.previous_status}->{e.status}")
    assert steps == {sold: ["received", "received->available", "available->sold"], ready.unit_id: ["received"]}


async def test_receipts_of_one_device_racing_each_other_make_one_unit(env: dict[str, str], database_url: str) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    suffix = uuid.uuid4().hex[:8]
    # Two SKUs: receipts of one SKU wait for each other on its row, receipts of two do not, so
    # only the unique index over units still ours can stop the second unit.
    skus = [new_sku(), new_sku()]
    imei = luhn_imei(int(uuid.uuid4().int % 10**9))
    runtime, app = build(settings(env, database_url))
    async with running(runtime), api(app) as client:
        warehouse = await location(client, f"wh-{suffix}", "warehouse")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "good") for sku in skus])

        answers = await asyncio.gather(
            *(
                client.post(
                    "/units",
                    json={
                        "sku": skus[i % 2],
                        "identifier": {"kind": "imei", "value": imei},
                        "location_id": warehouse,
                    },
                    headers=writer(),
                )
                for i in range(8)
            )
        )
        async with runtime.pool.acquire() as conn:
            units = await conn.fetchval("SELECT count(*) FROM units WHERE identifier = $1", imei)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 7, [a.text for a in answers]
    assert {a.json()["field"] for a in answers if a.status_code == 409} == {"identifier.value"}
    assert units == 1


async def test_the_database_itself_refuses_a_second_unit_still_ours_and_lets_a_sold_one_be(
    env: dict[str, str], database_url: str
) -> None:
    suffix = uuid.uuid4().hex[:8]
    serial = f"SN-{suffix}".upper()
    runtime, _ = build(settings(env, database_url))

    def uow() -> PostgresInventoryUnitOfWork:
        return PostgresInventoryUnitOfWork(runtime.outbox, to_contract, pool=runtime.pool)

    def device(unit_id: str, status: str, previous: str | None = None) -> Unit:
        return Unit(unit_id, sku, "serial", serial, "good", place, status, previous_unit_id=previous)

    async with running(runtime):
        place, sku = f"wh-{suffix}", new_sku()
        async with uow() as arranging:
            await arranging.locations.upsert(Location(place, "warehouse", "FR", place))
            await arranging.skus.upsert(sku, "refurbished_device", "good", f"p-{sku}")
            await arranging.units.add(device(f"U1-{suffix}", "available"))
            await arranging.commit()

        # Straight to the repository, past every rule of the handlers: the index alone decides.
        with pytest.raises(IdentifierInStock):
            async with uow() as racing:
                await racing.units.add(device(f"U2-{suffix}", "received"))
        async with uow() as selling:
            await selling.units.save([device(f"U1-{suffix}", "sold")])
            await selling.units.add(device(f"U2-{suffix}", "received", previous=f"U1-{suffix}"))
            await selling.commit()
        async with uow() as reading:
            units = await reading.units.carrying(serial)

    assert [(u.unit_id, u.status, u.previous_unit_id) for u in units] == [
        (f"U1-{suffix}", "sold", None),
        (f"U2-{suffix}", "received", f"U1-{suffix}"),
    ]
