"""Re-engagement segments: computed on a clock, once per occasion, only where marketing consent allows."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from crm.bootstrap import build
from reloop_contracts import Event
from reloop_contracts.common import Consent, CustomerRef
from reloop_contracts.crm import SEGMENTS, CustomerSegmentEntered
from reloop_localstack.testing import TEST_KEKS, api, read_events, running
from reloop_shared.clock import FixedClock
from reloop_shared.personal_data import PersonalDataSealer, PostgresKeyStore
from services.crm.tests.support import (
    Run,
    consent,
    customer,
    key_store,
    new_id,
    personal_reader,
    profile_of,
    returned,
    sale,
    settings,
)

pytestmark = pytest.mark.connected

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


async def test_customers_enter_segments_on_their_occasion_once_and_only_with_marketing_consent(
    env: dict[str, str], new_database: Callable[[], Awaitable[str]]
) -> None:
    run, database_url, keyvault_url = Run(env), await new_database(), await new_database()
    runtime, app = build(settings(run, env, database_url, keyvault_url, segment_interval_s=0.3), clock=FixedClock(NOW))
    subjects = {name: new_id(name) for name in ("warranty", "first", "silent", "returner", "rebought", "partner")}
    yes, no = consent(marketing=True, at=ago(400)), consent(marketing=False, at=ago(400))
    async with key_store(keyvault_url) as sealer:
        sealed = {
            name: await sealer.seal(s, {"email": f"{s}@example.org", "name": name, "postal_code": "75011"})
            for name, s in subjects.items()
        }

    def who(name: str, given: Consent = yes, **extra: Any) -> CustomerRef:
        return customer(subject=subjects[name], sealed=sealed[name], given=given, **extra)

    returning = sale(new_id("order"), "online", "wh-1", who=who("returner", account=new_id("acc")), at=ago(40))
    rebought = sale(new_id("order"), "online", "wh-1", who=who("rebought", account=new_id("acc")), at=ago(40))
    history = [
        sale(new_id("till"), "own_shop", "shop-1", who=who("warranty"), at=ago(350)),
        sale(new_id("till"), "own_shop", "shop-1", who=who("first"), at=ago(5), device=0, accessories=1),
        sale(new_id("till"), "own_shop", "shop-1", who=who("silent", given=no), at=ago(5)),
        returning,
        returned(returning, "online", "wh-1", at=ago(20)),
        rebought,
        returned(rebought, "online", "wh-1", at=ago(20)),
        sale(new_id("order"), "online", "wh-1", who=who("rebought", account=None), at=ago(15)),
        sale(
            new_id("till"),
            "partner_shop",
            "partner-1",
            who=who("partner", given=consent(marketing=True, sharing=True, at=ago(5)), owner="partner"),
            at=ago(5),
        ),
    ]
    async with running(runtime), api(app) as client:
        await run.publish(*history)

        def entered(event: Event) -> bool:
            return isinstance(event, CustomerSegmentEntered)

        found = await read_events(run.bootstrap, run.topic(SEGMENTS), entered, expect=4, registry=run.registry)
        await asyncio.sleep(1.5)  # a few more runs of the job: nobody enters twice
        again = await read_events(
            run.bootstrap, run.topic(SEGMENTS), entered, expect=5, timeout=3, registry=run.registry
        )
        warranty_profile = await profile_of(client, subject_id=subjects["warranty"])
        view = (await client.get(f"/profiles/{warranty_profile}", headers=personal_reader())).json()

    entries = {(e.segment, e.profile_id) for e in found if isinstance(e, CustomerSegmentEntered)}
    assert len(again) == 4
    profiles = {}
    for name in ("warranty", "first", "returner", "partner"):
        profiles[name] = next(
            e.profile_id
            for e in found
            if isinstance(e, CustomerSegmentEntered) and e.contact and e.contact.key_id == subjects[name]
        )
    assert entries == {
        ("warranty_ending", profiles["warranty"]),
        ("first_shop_purchase_without_account", profiles["first"]),
        ("return_without_repurchase", profiles["returner"]),
        ("first_shop_purchase_without_account", profiles["partner"]),
    }
    [warranty] = [e for e in found if isinstance(e, CustomerSegmentEntered) and e.segment == "warranty_ending"]
    assert warranty.warranty_ends_at == ago(350).replace(year=ago(350).year + 1)
    assert [s["segment"] for s in view["segments"]] == ["warranty_ending"]
    keys = await PostgresKeyStore.connect(keyvault_url, TEST_KEKS)
    try:
        assert warranty.contact is not None
        opened = await PersonalDataSealer(keys).open(warranty.contact)
    finally:
        await keys.close()
    assert opened == {"email": f"{subjects['warranty']}@example.org", "name": "warranty"}  # no address
