"""Inventory's units: which reloop unit each device identifier is, for partner tills that name
devices by IMEI."""

from __future__ import annotations

import uuid

from reloop_contracts import inventory
from services.store_sync.tests.messaging.given import StoreSync, unique
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest


def _imei() -> str:
    return f"35{uuid.uuid4().int % 10**13:013d}"


async def test_a_received_units_imei_is_known_to_partner_tills(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    unit_id, imei = unique("U"), _imei()
    await service.deliver(
        inventory.UnitReceived(
            unit_id=unit_id,
            sku="IPH13-128-BLK-EX",
            identifier=inventory.DeviceIdentifier(kind="imei", value=imei),
            grade="excellent",
            location_id="WH-PARIS-1",
            received_at=under_test.clock.now(),
        ),
        producer="inventory",
    )
    async with service.unit_of_work() as uow:
        known = await uow.partner.units([imei])
    assert known == {imei: unit_id}
