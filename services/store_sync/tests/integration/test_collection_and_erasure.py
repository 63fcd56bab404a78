"""Devices left at a shop travel to the refurbishment centre in shipments inventory can follow; a
device left for repair goes out with its customer's contact details sealed. (A customer's erasure,
which leaves every sealed copy unreadable, is proven in `tests/messaging/test_erasure.py`.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from reloop_contracts import store
from reloop_localstack.testing import TEST_KEKS, api, luhn_imei, outbox_drained, read_events, running
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from services.store_sync.tests.support import all_events, back_office, bearer, money, settings, shop, unique
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected

REFURB = "REFURB-CENTRE-1"


async def test_devices_left_at_a_shop_ship_to_the_refurbishment_centre_in_transit_then_received(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    shop_id = unique("PAR")
    at = datetime.now(UTC) - timedelta(hours=2)
    trade_in = {
        "client_txn_id": "TI-1",
        "occurred_at": at.isoformat(),
        "device": {"identifier_kind": "imei", "identifier": luhn_imei(123456), "sku": "IPH12-64-BLK-GD"},
        "condition": "screen scratched",
        "payout": money(12000),
        "payout_method": "store_credit",
    }
    returned = {
        "client_txn_id": "R-1",
        "occurred_at": at.isoformat(),
        "sale_id": "ORD-42",  # an online order brought back to the shop
        "lines": [
            {
                "line_id": "1",
                "kind": "refurbished_device",
                "sku": "IPH13-128-BLK-EX",
                "unit_id": "U-7",
                "refund": money(45900),
            }
        ],
    }
    async with running(runtime), api(app) as client:
        key = await shop(client, shop_id)
        taken = await client.post(f"/shops/{shop_id}/trade-ins", json=trade_in, headers=bearer(key))
        back = await client.post(f"/shops/{shop_id}/returns", json=returned, headers=bearer(key))
        one = {"limit": 1}
        first = (await client.get(f"/shops/{shop_id}/collected", params=one, headers=bearer(key))).json()
        then = {**one, "cursor": first["next_cursor"]}
        last = (await client.get(f"/shops/{shop_id}/collected", params=then, headers=bearer(key))).json()
        waiting = first["items"] + last["items"]
        box = {"shipment_ref": "BOX-1", "to_location_id": REFURB, "carrier_reference": "COLIS-1"}
        shipped = await client.post(f"/shops/{shop_id}/shipments", json=box, headers=bearer(key))
        retried = await client.post(f"/shops/{shop_id}/shipments", json=box, headers=bearer(key))
        nothing_left = await client.post(
            f"/shops/{shop_id}/shipments", json={**box, "shipment_ref": "BOX-2"}, headers=bearer(key)
        )
        shipment_id = shipped.json()["shipment_id"]
        trade_in_unit = next(d["unit_id"] for d in waiting if d["kind"] == "trade_in")
        received = await client.post(
            f"/shipments/{shipment_id}/receipt", json={"unit_ids": [trade_in_unit]}, headers=back_office()
        )
        await outbox_drained(database_url)
    assert (taken.status_code, back.status_code) == (201, 201)
    assert sorted(d["kind"] for d in waiting) == ["return", "trade_in"], "one a page, in the order left"
    assert last["next_cursor"] is None
    assert shipped.status_code == 201, shipped.text
    assert retried.json()["shipment_id"] == shipment_id, "the same reference is the same shipment"
    assert nothing_left.status_code == 422
    assert nothing_left.json()["field"] == "unit_ids"
    assert received.json()["missing_unit_ids"] == ["U-7"]
    found = await all_events(env, store.SHIPMENTS, lambda e: getattr(e, "shipment_id", None) == shipment_id, expect=2)
    dispatched, arrived = found
    assert isinstance(dispatched, store.ShipmentDispatched)
    assert (dispatched.from_location_id, dispatched.to_location_id) == (shop_id, REFURB)
    assert sorted(u.unit_id for u in dispatched.units) == sorted([trade_in_unit, "U-7"])
    assert isinstance(arrived, store.ShipmentReceived)
    assert (arrived.received_unit_ids, arrived.missing_unit_ids) == ([trade_in_unit], ["U-7"])


async def test_a_device_left_for_repair_goes_out_with_its_customers_contact_details_sealed(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    # What an erasure then does to this customer is proven in `tests/messaging/test_erasure.py`.
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    shop_id = unique("PAR")
    repair = {
        "client_txn_id": "REP-1",
        "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "device": {"identifier_kind": "serial", "identifier": "C02XK1ZZJG5J"},
        "issue": "battery swells",
        "customer": {"customer_id": "acct-9", "email": "ana@example.org", "consent": {"marketing": True}},
    }
    keys = await PostgresKeyStore.connect(keyvault, TEST_KEKS)
    try:
        async with running(runtime), api(app) as client:
            key = await shop(client, shop_id)
            left = await client.post(f"/shops/{shop_id}/repairs", json=repair, headers=bearer(key))
            await outbox_drained(database_url)
            [dropped] = await read_events(
                bootstrap, store.DROP_OFFS, lambda e: getattr(e, "shop_id", None) == shop_id, expect=1
            )
        assert isinstance(dropped, store.RepairDroppedOff)
        assert dropped.customer is not None
        assert dropped.customer.personal is not None
        readable = await PersonalDataSealer(keys).open(dropped.customer.personal)
    finally:
        await keys.close()
    assert left.status_code == 201, left.text
    assert (dropped.customer.customer_id, dropped.customer.subject_id is not None) == ("acct-9", True)
    assert readable == {"email": "ana@example.org"}
