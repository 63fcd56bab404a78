"""How store-sync's consumer takes what arrives: each event once however often it is delivered, a
record it cannot read dead-lettered with the reason while the ones behind it still apply, and the
other events of its topics left alone."""

from __future__ import annotations

from datetime import timedelta

from reloop_contracts import catalog, inventory, privacy
from services.store_sync.tests.messaging.given import (
    WAREHOUSE,
    StoreSync,
    encoded,
    erasure_requested,
    feed_item,
    listed,
    malformed,
    own_shop,
    priced,
    unique,
)
from services.store_sync.tests.messaging.under_test import StoreSyncUnderTest

SKU = "IPH13-128-BLK-EX"


async def _letters_of(service: StoreSync, key: str) -> list[str]:
    return [letter.reason for letter in await service.dead_letters() if letter.key == key.encode()]


async def test_an_erasure_request_delivered_twice_is_applied_and_confirmed_once(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    request = erasure_requested([unique("subject")], [unique("acct")], under_test.clock.now())
    await service.deliver(request, producer="crm", copies=2)
    confirmed = [e for e in await service.published(privacy.ErasureCompleted) if e.request_id == request.request_id]
    assert len(confirmed) == 1
    assert await _letters_of(service, request.request_id) == []


async def test_a_price_breaking_the_contract_is_dead_lettered_with_its_reason_and_the_next_applies_once_it_is_given_up(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    shop_id, phone = await own_shop(under_test), unique("IPH13")
    since = under_test.clock.now() - timedelta(hours=1)
    await service.deliver(listed(phone, since), producer="catalog")
    negative = malformed(
        encoded(under_test, priced(phone, 45900, since), "catalog"), price={"amount_minor": -1, "currency": "EUR"}
    )
    await service.deliver_rows([negative, encoded(under_test, priced(phone, 44900, since), "catalog")])
    [letter] = [letter for letter in await service.dead_letters() if letter.key == phone.encode()]
    assert letter.original_topic.endswith(catalog.SKUS.name)
    assert "price.amount_minor" in letter.reason, letter.reason
    assert (await feed_item(under_test, shop_id, phone)).price is None, "the next price waits behind the bad one"
    await service.discard(letter)
    item = await feed_item(under_test, shop_id, phone)
    assert item.price == (44900, "EUR", since), "the price behind the bad one is applied"


async def test_an_event_of_its_topics_store_sync_does_not_take_is_passed_over_not_dead_lettered(
    under_test: StoreSyncUnderTest, service: StoreSync
) -> None:
    unit_id, imei, now = unique("U"), "356938035643809", under_test.clock.now()
    sold = inventory.UnitStatusChanged(
        unit_id=unit_id,
        sku=SKU,
        location_id=WAREHOUSE,
        previous_status="available",
        status="sold",
        reason="sale",
        grade="excellent",
        changed_at=now,
    )
    received = inventory.UnitReceived(
        unit_id=unit_id,
        sku=SKU,
        identifier=inventory.DeviceIdentifier(kind="imei", value=imei),
        grade="excellent",
        location_id=WAREHOUSE,
        received_at=now,
    )
    await service.deliver(sold, received, producer="inventory")
    async with service.unit_of_work() as uow:
        known = await uow.partner.units([imei])
    assert await _letters_of(service, unit_id) == []
    assert known == {imei: unit_id}, "the unit's next event is applied"
