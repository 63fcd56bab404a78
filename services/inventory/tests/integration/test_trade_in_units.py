"""A trade-in's refurbished device reaches stock through the running service: `TradeInUnitReady` on
Kafka, the unit on `GET /units/{id}` with its origin at the centre `INVENTORY_TRADE_IN_CENTRE`
names, and `UnitReceived` relayed to `inventory.units.v1` carrying that origin to its readers.

The consumer's rules (redelivery, clashes, skipped events) are proved in
`tests/messaging/test_trade_ins.py`, in memory and on the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from inventory.bootstrap import build
from reloop_contracts import Event, NonNegativeMoney, trade_in
from reloop_contracts import inventory as contract
from reloop_contracts.inventory import DeviceIdentifier
from reloop_localstack.testing import api, eventually, luhn_imei, publish, read_events, running
from services.inventory.tests.support import list_skus, location, new_sku, reader, settings, writer

pytestmark = pytest.mark.connected


async def test_the_accepted_device_appears_in_inventory_as_a_unit_with_its_trade_in_origin(
    env: dict[str, str], database_url: str
) -> None:
    bootstrap = env["KAFKA_BOOTSTRAP_SERVERS"]
    sku, suffix = new_sku(), uuid.uuid4().hex[:8]
    centre = f"centre-lyon-{suffix}"
    runtime, app = build(settings(env, database_url).model_copy(update={"trade_in_centre": centre}))
    ready = trade_in.TradeInUnitReady(
        trade_in_id=f"TI-{suffix}",
        unit_id=f"U-TI-{suffix}",
        sku=sku,
        identifier=DeviceIdentifier(kind="imei", value=luhn_imei(int(uuid.uuid4().int % 10**9))),
        grade="very_good",
        acquired_for=NonNegativeMoney(amount_minor=23100, currency="EUR"),
        ready_at=datetime.now(UTC),
    )
    async with running(runtime), api(app) as client:
        # Two centres in one currency: only the configured one tells where trade-ins arrive.
        await location(client, centre, "refurbishment_centre")
        await location(client, f"centre-paris-{suffix}", "refurbishment_centre")
        await list_skus(bootstrap, client, [(sku, "refurbished_device", "very_good")])

        await publish(bootstrap, [ready], producer="trade-in")

        async def in_stock() -> bool:
            return (await client.get(f"/units/{ready.unit_id}", headers=reader())).status_code == 200

        await eventually(in_stock, message="inventory received the trade-in's unit")
        unit = (await client.get(f"/units/{ready.unit_id}", headers=reader())).json()
        inspected = await client.post(
            f"/units/{ready.unit_id}/inspection", json={"outcome": "restock"}, headers=writer()
        )

        def about_the_unit(event: Event) -> bool:
            return isinstance(event, contract.UnitReceived) and event.unit_id == ready.unit_id

        [received] = await read_events(bootstrap, contract.UNITS, about_the_unit, expect=1)

    assert (unit["status"], unit["location_id"], unit["grade"], unit["identifier"]) == (
        "received",
        centre,
        "very_good",
        ready.identifier.value,
    )
    origin = {"kind": "trade_in", "trade_in_id": ready.trade_in_id, "acquired_for": ready.acquired_for.model_dump()}
    assert unit["origin"] == origin
    assert (inspected.status_code, inspected.json()["status"], inspected.json()["origin"]) == (200, "available", origin)
    assert isinstance(received, contract.UnitReceived)
    assert received.origin is not None
    assert received.origin.model_dump(mode="json") == origin
