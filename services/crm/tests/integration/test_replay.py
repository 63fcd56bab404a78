"""The read model is a function of the topics: rebuilt from them, it is the live one again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from crm.bootstrap import build
from crm.entrypoints.consumers import TOPICS
from crm.entrypoints.replay import LiveConsumerRunning, replay
from reloop_contracts.crm import PROFILES, SEGMENTS, SHOPS, CustomerSegmentEntered
from reloop_contracts.orders import OrderDelivered, OrderFulfilled
from reloop_contracts.privacy import ERASURE, ErasureCompleted
from reloop_localstack.testing import api, eventually, outbox_drained, read_events, running
from reloop_shared.clock import FixedClock
from reloop_shared.personal_data.key_encryption_keys import UnknownKeyEncryptionKey
from services.crm.tests.repair_events import a_covered_shop_repair, a_subscription_through_dunning
from services.crm.tests.support import (
    Run,
    caught_up,
    consent,
    customer,
    eraser,
    key_store,
    merger,
    new_id,
    profile_of,
    returned,
    rows,
    sale,
    settings,
    snapshot,
    writer,
)
from services.crm.tests.trade_in_events import (
    a_trade_in_paid_in_a_voucher_spent_in_a_shop,
    grading_checked,
    shop_trade_in,
)

pytestmark = pytest.mark.connected

NOW = datetime.now(UTC).replace(microsecond=0)


async def test_rebuilding_the_read_model_from_the_topics_gives_the_same_profiles_as_live_consumption(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    live_settings = settings(run, env, database_url, keyvault_url, segment_interval_s=0.3)
    runtime, app = build(live_settings, clock=FixedClock(NOW))
    s1, s3, s4, s7, s8, s10, sa2, sa9 = (new_id("sub") for _ in range(8))
    a2, a5, a7, a9 = (new_id("acc") for _ in range(4))
    e1, e8 = f"{new_id('e')}@example.org", f"{new_id('e')}@example.org"
    async with key_store(keyvault_url) as sealer:
        c1 = await sealer.seal(s1, {"email": e1, "name": "C One"})
        c2 = await sealer.seal(sa2, {"email": f"{new_id('e')}@example.org", "delivery_postal_code": "75011"})
        c3 = await sealer.seal(s3, {"email": e1.upper()})
        c7 = await sealer.seal(s7, {"email": f"{new_id('e')}@example.org", "delivery_postal_code": "13001"})
        c8 = await sealer.seal(s8, {"email": e8})
        c9 = await sealer.seal(sa9, {"phone": "0611223344"})
        c10 = await sealer.seal(s10, {"email": e8, "phone": "+33 6 11 22 33 44"})
    yes = consent(marketing=True, by="shop-1", at=NOW - timedelta(days=400))
    warranty_sale = sale(
        new_id("till"),
        "own_shop",
        "shop-1",
        who=customer(subject=s1, sealed=c1, given=yes),
        at=NOW - timedelta(days=350),
    )
    online = sale(
        new_id("order"),
        "online",
        "wh-1",
        who=customer(account=a2, subject=sa2, sealed=c2, given=consent(marketing=True, at=NOW - timedelta(days=30))),
        at=NOW - timedelta(days=20),
        accessories=2,
    )
    erased_sale = sale(new_id("order"), "online", "wh-1", who=customer(account=a7, subject=s7, sealed=c7))
    async with running(runtime), api(app) as client:
        await run.publish(
            warranty_sale,
            online,
            OrderFulfilled(
                order_id=online.sale_id, fulfilment="ship", location_id="wh-1", fulfilled_at=NOW - timedelta(19)
            ),
            OrderDelivered(
                order_id=online.sale_id, delivered_at=NOW - timedelta(18), withdrawal_deadline=NOW - timedelta(4)
            ),
            returned(online, "own_shop", "shop-1", at=NOW - timedelta(days=17)),
            sale(new_id("till"), "own_shop", "shop-2", who=customer(subject=s3, sealed=c3), services=1),
            sale(new_id("till"), "own_shop", "shop-2", who=customer(subject=s4)),
            sale(new_id("till"), "partner_shop", "partner-1", who=customer(subject=new_id("sub"), owner="partner")),
            sale(new_id("order"), "online", "wh-1", who=customer(account=a5)),
            erased_sale,
            OrderDelivered(order_id=erased_sale.sale_id, delivered_at=NOW, withdrawal_deadline=NOW + timedelta(14)),
            sale(new_id("till"), "own_shop", "shop-1", who=customer(subject=s8, sealed=c8)),
            sale(new_id("order"), "online", "wh-1", who=customer(account=a9, subject=sa9, sealed=c9)),
        )
        # A trade-in and its voucher for a customer who also bought online, and one to be erased.
        shop_settled = new_id("ti")
        await run.publish(
            *a_trade_in_paid_in_a_voucher_spent_in_a_shop(a2, NOW - timedelta(days=60)),
            *a_trade_in_paid_in_a_voucher_spent_in_a_shop(a7, NOW - timedelta(days=50)),
            shop_trade_in(shop_settled, "shop-1", NOW - timedelta(days=40)),
            grading_checked(shop_settled, "shop-1", False, NOW - timedelta(days=30)),
            producer="trade-in",
        )
        # A repair plan through dunning and a covered repair for the same customer; a plan of the erased one.
        plan, plan_to_erase = new_id("plan"), new_id("plan")
        await run.publish(
            *a_subscription_through_dunning(plan, a2, NOW - timedelta(days=120)),
            *a_covered_shop_repair(new_id("rt"), a2, plan, NOW - timedelta(days=70)),
            *a_subscription_through_dunning(plan_to_erase, a7, NOW - timedelta(days=110)),
            producer="repair",
        )
        p4, p5 = await profile_of(client, subject_id=s4), await profile_of(client, account_id=a5)
        await profile_of(client, subject_id=s8)
        await profile_of(client, account_id=a9)
        await run.publish(sale(new_id("till"), "own_shop", "shop-1", who=customer(subject=s10, sealed=c10)))
        operator = {"profile_id": p4, "other_profile_id": p5, "reason": "same person", "requested_by": "agent"}
        merge_id = (await client.post("/merges", json=operator, headers=merger())).json()["merge_id"]
        undo = {"reason": "not the same", "requested_by": "agent"}
        assert (await client.post(f"/merges/{merge_id}/undo", json=undo, headers=merger())).status_code == 200
        p1 = await profile_of(client, subject_id=s1)
        sharing = {"purpose": "partner_sharing", "granted": True, "captured_by": "online"}
        assert (await client.post(f"/profiles/{p1}/consents", json=sharing, headers=writer())).status_code == 201
        shop = {
            "shop_id": "shop-1",
            "kind": "own_shop",
            "market": "FR",
            "catchment_prefixes": ["75"],
            "opened_on": "2026-01-05",
        }
        assert (await client.post("/shops", json=shop, headers=writer())).status_code == 201
        erased_profile = await profile_of(client, account_id=a7)
        erasure = await client.post("/erasure-requests", json={"profile_id": erased_profile}, headers=eraser())
        request_id = erasure.json()["request_id"]
        await run.publish(
            ErasureCompleted(request_id=request_id, service="orders", records_erased=1, completed_at=NOW),
            producer="orders",
        )

        def entered(event: object) -> bool:
            return isinstance(event, CustomerSegmentEntered)

        segments = await read_events(run.bootstrap, run.topic(SEGMENTS), entered, expect=2, registry=run.registry)
        assert sorted(e.segment for e in segments if isinstance(e, CustomerSegmentEntered)) == [
            "return_without_repurchase",
            "warranty_ending",
        ]

        async def merged_automatically() -> bool:
            return await profile_of(client, account_id=a9) == await profile_of(client, subject_id=s8)

        await eventually(merged_automatically, message="the e-mail and phone sale merged two profiles")

        async def erased() -> bool:
            found = await client.get(f"/erasure-requests/{request_id}", headers=eraser())
            return bool(found.json()["pending"] == ["store-sync"])

        await eventually(erased, message="CRM erased the person and confirmed")
        await outbox_drained(database_url)
        await caught_up(run, f"crm{live_settings.consumer_group_suffix}", list(TOPICS))
        live = await snapshot(database_url)
        with pytest.raises(LiveConsumerRunning):
            await replay(live_settings, until="live")

    assert len(live["segments"]) == 2
    assert len(live["separations"]) == 1
    assert len(live["tombstones"]) > 0
    assert (len(live["vouchers"]), len(live["redemptions"]), len(live["grading checks"])) == (2, 2, 1)
    assert (len(live["subscriptions"]), len(live["subscription states"]), len(live["repair tickets"])) == (2, 14, 1)
    # The bought-online customer's 9 trade-in and 2 voucher steps, 8 of their plan's and 8 of their
    # repair's, the shop's trade-in; none of the erased one's.
    assert sum(1 for e in live["timeline"] if e["thread"] is not None) == 9 + 2 + 8 + 8 + 1
    assert await rows(database_url, "SELECT 1 FROM merges WHERE automatic") != []

    elsewhere = live_settings.model_copy(update={"service_database_url": await new_database()})
    figures = await replay(elsewhere, until="end", clock=FixedClock(NOW))
    assert figures.records > 0
    rebuilt_url = elsewhere.service_database_url or ""
    assert await snapshot(rebuilt_url) == live

    # The handover: a live consumer taking the rebuilt database over, even from the first offset
    # (a new group), applies nothing again. The one-by-one events (the erasure, the operators'
    # merge and consent) are recorded as live records them; the projection's rows are all there.
    takeover = elsewhere.model_copy(update={"consumer_group_suffix": f"-{new_id('g')}", "segment_interval_s": 3600.0})
    taking_over, _ = build(takeover, clock=FixedClock(NOW))
    one_by_one = [run.topic(t) for t in (ERASURE, PROFILES, SEGMENTS, SHOPS)]
    applied, duplicates = _consumed(one_by_one, "applied"), _consumed(one_by_one, "duplicate")
    (row,) = await rows(rebuilt_url, "SELECT count(*) AS n FROM processed_events WHERE consumer = 'crm'")
    recorded: int = row["n"]
    assert recorded > 0

    async def met_every_recorded_event_again() -> bool:
        return _consumed(one_by_one, "duplicate") - duplicates >= recorded

    every_topic = [run.topic(t) for t in TOPICS]
    met = _consumed(every_topic, "applied") + _consumed(every_topic, "duplicate")

    async def met_every_event_again() -> bool:
        return _consumed(every_topic, "applied") + _consumed(every_topic, "duplicate") - met >= figures.records

    async with running(taking_over):
        await eventually(met_every_event_again, message="the takeover read every event")
        await eventually(met_every_recorded_event_again, message="the takeover met the one-by-one events recorded")
    assert _consumed(one_by_one, "applied") == applied
    assert await snapshot(rebuilt_url) == live
    assert await rows(rebuilt_url, "SELECT event_type FROM outbox") == []

    await replay(live_settings, until="live", clock=FixedClock(NOW))
    assert await snapshot(database_url) == live


def _consumed(topics: list[str], outcome: str) -> float:
    """CRM's consumers' count of events of `topics` with that outcome, in this process."""
    labels = [{"consumer": "crm", "topic": topic, "outcome": outcome} for topic in topics]
    return sum(REGISTRY.get_sample_value("reloop_events_consumed_total", label) or 0.0 for label in labels)


async def test_a_rebuild_holding_another_environment_s_key_encryption_keys_stops_before_resetting_anything(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]], tmp_path: Path
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    live_settings = settings(run, env, database_url, keyvault_url)
    runtime, app = build(live_settings, clock=FixedClock(NOW))
    buyer = new_id("sub")
    async with key_store(keyvault_url) as sealer:
        sealed = await sealer.seal(buyer, {"email": f"{new_id('e')}@example.org"})
    async with running(runtime), api(app) as client:
        await run.publish(sale(new_id("till"), "own_shop", "shop-1", who=customer(subject=buyer, sealed=sealed)))
        await profile_of(client, subject_id=buyer)
        await caught_up(run, f"crm{live_settings.consumer_group_suffix}", list(TOPICS))
    before = await snapshot(database_url)
    stranger = live_settings.model_copy(update={"key_encryption_keys": str(tmp_path / "another-environment.json")})
    with pytest.raises(UnknownKeyEncryptionKey, match=r"another-environment\.json"):
        await replay(stranger, until="live", clock=FixedClock(NOW))
    assert await snapshot(database_url) == before
    assert before["profiles"] != []
