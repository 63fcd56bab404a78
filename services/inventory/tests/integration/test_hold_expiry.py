"""Holds expire by themselves: the runtime's periodic expiry, which only the real stack runs.

What the consumers do with holds and returns is proved in `tests/messaging`, in memory and on
the real stack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from inventory.bootstrap import build
from reloop_contracts import Event
from reloop_contracts import inventory as contract
from reloop_localstack.testing import api, eventually, publish, read_events, running
from services.inventory.tests.support import (
    available_unit,
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
