"""Orders forgets a customer when asked: account ids pseudonymised, the confirmation published."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from orders.bootstrap import build
from reloop_contracts import Event, privacy
from reloop_localstack.testing import api, eventually, publish, read_events, running
from services.orders.tests.support import TOPICS, settings

pytestmark = pytest.mark.connected


async def test_an_erasure_request_pseudonymises_the_customer_and_is_confirmed(
    env: dict[str, str], database_url: str
) -> None:
    runtime, app = build(settings(env, database_url), registry=TOPICS)
    customer = f"acct-{uuid.uuid4().hex[:8]}"
    request_id = f"erase-{uuid.uuid4().hex[:8]}"
    async with running(runtime), api(app) as client:
        cart = (await client.post("/carts", json={"market": "FR", "customer_id": customer})).json()
        await publish(
            env["KAFKA_BOOTSTRAP_SERVERS"],
            [
                privacy.ErasureRequested(
                    request_id=request_id,
                    subject_ids=[f"subject-{customer}"],
                    customer_ids=[customer],
                    holders=list(privacy.PERSONAL_DATA_HOLDERS),
                    requested_at=datetime.now(UTC),
                )
            ],
            producer="crm",
            registry=TOPICS,
        )

        async def forgotten() -> bool:
            body = (await client.get(f"/carts/{cart['cart_id']}")).json()
            return bool(body["customer_id"] != customer)

        await eventually(forgotten, message="the cart no longer names the customer")

        def confirmation(event: Event) -> bool:
            return isinstance(event, privacy.ErasureCompleted) and event.request_id == request_id

        confirmed = await read_events(
            env["KAFKA_BOOTSTRAP_SERVERS"], TOPICS.same_topic(privacy.ERASURE).name, confirmation, expect=1
        )
    assert len(confirmed) == 1
    assert isinstance(confirmed[0], privacy.ErasureCompleted)
    assert confirmed[0].service == "orders"
    assert confirmed[0].records_erased == 1
