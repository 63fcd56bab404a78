"""Re-engagement segments: once per occasion, only with marketing consent and a usable contact."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from crm.adapters.translators import segment_entered
from crm.domain.matching import tombstone
from crm.domain.segments import FIRST_SHOP_PURCHASE, RETURN_WITHOUT_REPURCHASE, WARRANTY_ENDING
from crm.service_layer import segments
from reloop_contracts import crm
from reloop_shared.clock import FixedClock
from reloop_shared.memory import MemoryStore
from services.crm.tests.fakes import CrmTables, FakeVault, new_store, unit_of_work
from services.crm.tests.given import NOW, PEPPER, contact, marketing, profile, purchase, return_of

CLOCK = FixedClock(NOW)
FIELDS = {"email": "ines@example.org", "name": "Ines", "postal_code": "75011"}


def ago(days: int) -> timedelta:
    return timedelta(days=days)


def shop_customer(
    store: MemoryStore[CrmTables], vault: FakeVault, subject: str, *, consent: bool = True, **how: str
) -> uuid.UUID:
    pid = profile(store, f"subject:{subject}", founded_at=NOW - ago(5))
    marketing(store, f"subject:{subject}", consent, NOW - ago(400), partner_sharing=how.pop("sharing", "") == "yes")
    contact(store, vault, subject, FIELDS, NOW - ago(5), **how)
    return pid


async def evaluate(store: MemoryStore[CrmTables], vault: FakeVault) -> int:
    return await segments.evaluate_segments(lambda: unit_of_work(store), vault, CLOCK)


async def test_a_first_shop_purchase_enters_its_segment_once_with_only_what_a_marketing_tool_needs() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    pid = shop_customer(store, vault, "s1")
    purchase(store, "till-1", "subject:s1", NOW - ago(5))

    assert await evaluate(store, vault) == 1
    assert await evaluate(store, vault) == 0

    [entered] = store.published(crm.CustomerSegmentEntered)
    assert (entered.segment, entered.profile_id, entered.sale_id) == (FIRST_SHOP_PURCHASE, str(pid), "till-1")
    assert entered.marketing_consent_at == NOW - ago(400)
    assert entered.contact is not None
    assert json.loads(entered.contact.ciphertext) == {"email": "ines@example.org", "name": "Ines"}
    assert [e.segment for e in store.tables.segment_entries.values()] == [FIRST_SHOP_PURCHASE]


async def test_nobody_enters_without_marketing_consent_or_with_only_a_partners_unshared_contact() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    shop_customer(store, vault, "silent", consent=False)
    shop_customer(store, vault, "partner", owner="partner")
    purchase(store, "till-1", "subject:silent", NOW - ago(5))
    purchase(store, "till-2", "subject:partner", NOW - ago(5), channel="partner_shop")

    assert await evaluate(store, vault) == 0
    assert store.outbox == []
    assert store.tables.segment_entries == {}


async def test_a_partners_contact_is_used_while_the_customer_agrees_to_sharing() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    shop_customer(store, vault, "partner", owner="partner", sharing="yes")
    purchase(store, "till-2", "subject:partner", NOW - ago(5), channel="partner_shop")

    assert await evaluate(store, vault) == 1


async def test_a_device_whose_warranty_ends_soon_enters_unless_it_was_returned() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    shop_customer(store, vault, "s1")
    device = {"line_id": "d0", "kind": "refurbished_device", "sku": "IPH13-GOOD"}
    kept, returned = dict(device), {**device, "line_id": "d1"}
    purchase(store, "old-1", "subject:s1", NOW - ago(350), channel="online", lines=[kept, returned])
    return_of(store, "old-1", "R-1", NOW - ago(300), "d1")

    assert await evaluate(store, vault) == 1

    [entered] = store.published(crm.CustomerSegmentEntered)
    assert (entered.segment, entered.occasion, entered.sku) == (WARRANTY_ENDING, "old-1/d0", "IPH13-GOOD")
    assert entered.warranty_ends_at == (NOW - ago(350)).replace(year=NOW.year)


async def test_a_return_without_a_purchase_in_the_fortnight_after_it_enters_its_segment() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    shop_customer(store, vault, "returner")
    shop_customer(store, vault, "rebought")
    purchase(store, "o-1", "subject:returner", NOW - ago(40), channel="online")
    purchase(store, "o-2", "subject:rebought", NOW - ago(40), channel="online")
    return_of(store, "o-1", "R-1", NOW - ago(20))
    return_of(store, "o-2", "R-2", NOW - ago(20))
    purchase(store, "o-3", "subject:rebought", NOW - ago(15), channel="online")

    assert await evaluate(store, vault) == 1

    [entered] = store.published(crm.CustomerSegmentEntered)
    assert (entered.segment, entered.return_id) == (RETURN_WITHOUT_REPURCHASE, "R-1")


async def test_a_customer_whose_key_was_destroyed_meanwhile_does_not_enter() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    shop_customer(store, vault, "s1")
    purchase(store, "till-1", "subject:s1", NOW - ago(5))
    await vault.destroy(["s1"])

    assert await evaluate(store, vault) == 0


async def test_an_entry_read_back_is_remembered_unless_its_profile_was_erased() -> None:
    live, vault = new_store(), FakeVault(PEPPER)
    pid = shop_customer(live, vault, "s1")
    purchase(live, "till-1", "subject:s1", NOW - ago(5))
    await evaluate(live, vault)
    [entered] = live.published(crm.CustomerSegmentEntered)
    replay, erased = new_store(), new_store()
    erased.tables.erased_identifiers[tombstone(PEPPER, f"profile:{pid}")] = ("request-1", NOW)

    for store in (replay, erased):
        await segments.when_segment_entered_record_it(segment_entered(entered), unit_of_work(store), vault)

    assert replay.tables.segment_entries == live.tables.segment_entries
    assert erased.tables.segment_entries == {}
