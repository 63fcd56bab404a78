"""Shops as collection hubs: inventory follows what a shop sends to the refurbishment centre, and
takes a shop's stock count as the truth."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from inventory.bootstrap import build
from reloop_contracts import NonNegativeMoney, store
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.sales import ReturnLine, ReturnRecorded
from reloop_localstack.testing import api, eventually, luhn_imei, publish, running
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


def _shop(shop_id: str) -> store.ShopRegistered:
    return store.ShopRegistered(
        shop_id=shop_id,
        name="Orange Lyon Part-Dieu",
        kind="partner_shop",
        market="FR",
        currency="EUR",
        timezone="Europe/Paris",
        operator_id="orange-fr",
        customer_data=store.CustomerDataPolicy(data_owner="partner", crm_sharing="with_consent"),
        registered_at=datetime.now(UTC),
    )


async def test_devices_collected_at_a_shop_are_followed_in_transit_and_received_at_the_centre(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, run = new_sku(), uuid.uuid4().hex[:6]
    shop, centre = f"partner-{run}", f"centre-{run}"
    async with running(runtime), api(app) as client:
        await publish(bootstrap, [_shop(shop)], producer="store-sync")

        async def shop_known() -> bool:
            locations = (await client.get("/locations")).json()
            return any(x["location_id"] == shop and x["kind"] == "partner_shop" for x in locations)

        await eventually(shop_known, message="the registered shop became an inventory location")
        await location(client, centre, "refurbishment_centre")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "good")])
        unit_id = await available_unit(client, sku, shop)
        sale_id = f"till-{run}"
        await publish(bootstrap, [device_sale(sale_id, "partner_shop", shop, sku, unit_id)], producer="store-sync")
        refund = NonNegativeMoney(amount_minor=45900, currency="EUR")
        await publish(
            bootstrap,
            [
                ReturnRecorded(
                    return_id=f"ret-{run}",
                    sale_id=sale_id,
                    channel="partner_shop",
                    location_id=shop,
                    market="FR",
                    returned_at=datetime.now(UTC),
                    lines=[ReturnLine(line_id="1", kind="refurbished_device", sku=sku, unit_id=unit_id, refund=refund)],
                )
            ],
            producer="store-sync",
        )

        async def is_(status: str) -> bool:
            return await unit_status(client, unit_id) == status

        await eventually(lambda: is_("returned"), message="the return came back to the shop")
        trade_in = f"TI-{run}"
        await publish(
            bootstrap,
            [
                store.ShipmentDispatched(
                    shipment_id=f"ship-{run}",
                    from_location_id=shop,
                    to_location_id=centre,
                    units=[
                        store.ShippedUnit(unit_id=unit_id, kind="return", source_id=f"ret-{run}", sku=sku),
                        store.ShippedUnit(
                            unit_id=trade_in,
                            kind="trade_in",
                            source_id=f"drop-{run}",
                            identifier=DeviceIdentifier(kind="imei", value=luhn_imei(777)),
                        ),
                    ],
                    dispatched_at=datetime.now(UTC),
                )
            ],
            producer="store-sync",
        )
        await eventually(lambda: is_("in_transit"), message="the returned unit left the shop")
        travelling = (await client.get("/collected-devices", params={"status": "in_transit"})).json()
        assert [d["unit_id"] for d in travelling if d["unit_id"] == trade_in] == [trade_in]
        await publish(
            bootstrap,
            [
                store.ShipmentReceived(
                    shipment_id=f"ship-{run}",
                    from_location_id=shop,
                    to_location_id=centre,
                    received_unit_ids=[unit_id, trade_in],
                    received_at=datetime.now(UTC),
                )
            ],
            producer="store-sync",
        )
        await eventually(lambda: is_("returned"), message="the unit arrived, still waiting for inspection")
        unit = (await client.get(f"/units/{unit_id}")).json()
        received = (await client.get("/collected-devices", params={"location_id": centre, "status": "received"})).json()
    assert unit["location_id"] == centre
    assert [d["unit_id"] for d in received] == [trade_in]


async def test_a_shop_stock_count_replaces_the_books_with_what_was_found(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, run = new_sku(), uuid.uuid4().hex[:6]
    async with running(runtime), api(app) as client:
        shop = await location(client, f"shop-{run}", "own_shop")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "good")])
        present, missing = await available_unit(client, sku, shop), await available_unit(client, sku, shop)
        await publish(
            bootstrap,
            [
                store.StockCounted(
                    count_id=f"count-{run}",
                    shop_id=shop,
                    reason="monthly count",
                    units_present=[present],
                    counted_at=datetime.now(UTC),
                    pos_transaction_id=f"pos-{run}",
                )
            ],
            producer="store-sync",
        )

        async def written_off() -> bool:
            return await unit_status(client, missing) == "written_off"

        await eventually(written_off, message="the unit not found at the count was written off")
        assert await unit_status(client, present) == "available"
