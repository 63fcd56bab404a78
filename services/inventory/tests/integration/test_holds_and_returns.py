"""Holds expire by themselves; a returned unit is sellable again only after inspection."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from inventory.bootstrap import build
from reloop_contracts import Event, NonNegativeMoney
from reloop_contracts import inventory as contract
from reloop_contracts.sales import ReturnLine, ReturnRecorded
from reloop_localstack.testing import api, eventually, publish, read_events, running
from services.inventory.tests.support import (
    available_unit,
    device_sale,
    list_skus,
    location,
    new_sku,
    settings,
    unit_status,
)

pytestmark = pytest.mark.connected


async def test_an_expired_hold_releases_its_unit_by_itself(env: dict[str, str], database_url: str) -> None:
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, hold = new_sku(), f"R-{uuid.uuid4().hex[:8]}"
    async with running(runtime), api(app) as client:
        warehouse = await location(client, f"wh-{sku}", "warehouse")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "excellent")])
        unit_id = await available_unit(client, sku, warehouse)
        await publish(
            bootstrap,
            [
                contract.ReservationRequested(
                    reservation_id=hold,
                    channel="online",
                    market="FR",
                    lines=[contract.RequestedLine(line_id="1", kind="refurbished_device", sku=sku)],
                    hold_seconds=2,
                    requested_at=datetime.now(UTC),
                )
            ],
        )

        async def is_(status: str) -> bool:
            return await unit_status(client, unit_id) == status

        await eventually(lambda: is_("reserved"), message="the checkout held the unit")
        await eventually(lambda: is_("available"), timeout=15, message="the hold expired and released the unit")

        def about_the_hold(event: Event) -> bool:
            return getattr(event, "reservation_id", None) == hold

        outcomes = await read_events(bootstrap, contract.RESERVATIONS, about_the_hold, expect=2)
    assert isinstance(outcomes[0], contract.ReservationConfirmed)
    assert outcomes[0].lines[0].unit_id == unit_id
    assert isinstance(outcomes[1], contract.ReservationEnded)
    assert outcomes[1].outcome == "expired"


async def test_a_returned_unit_goes_back_to_available_only_after_inspection(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, sale_id = new_sku(), f"S-{uuid.uuid4().hex[:8]}"
    async with running(runtime), api(app) as client:
        shop = await location(client, f"shop-{sku}", "own_shop")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "good")])
        unit_id = await available_unit(client, sku, shop)
        await publish(bootstrap, [device_sale(sale_id, "own_shop", shop, sku, unit_id)], producer="store-sync")

        async def is_(status: str) -> bool:
            return await unit_status(client, unit_id) == status

        await eventually(lambda: is_("sold"), message="the shop sale was applied")
        refund = NonNegativeMoney(amount_minor=45900, currency="EUR")
        await publish(
            bootstrap,
            [
                ReturnRecorded(
                    return_id=f"RET-{sale_id}",
                    sale_id=sale_id,
                    channel="own_shop",
                    location_id=shop,
                    market="FR",
                    returned_at=datetime.now(UTC),
                    lines=[ReturnLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, refund=refund)],
                )
            ],
            producer="store-sync",
        )
        await eventually(lambda: is_("returned"), message="the return was applied")
        still_unsellable = (await client.get(f"/availability/{sku}")).json()
        assert still_unsellable["total_available"] == 0, "a returned unit is not sellable before inspection"
        inspected = await client.post(f"/units/{unit_id}/inspection", json={"outcome": "restock"})
        assert inspected.json()["status"] == "available"
        assert (await client.get(f"/availability/{sku}")).json()["total_available"] == 1

        def availability_of_sku(event: Event) -> bool:
            return isinstance(event, contract.AvailabilityChanged) and event.sku == sku

        published = await read_events(bootstrap, contract.AVAILABILITY, availability_of_sku, expect=4)
    # available after restock, 0 after the sale, still 0 after the return, 1 after inspection
    assert [e.total_available for e in published if isinstance(e, contract.AvailabilityChanged)][-4:] == [1, 0, 0, 1]
