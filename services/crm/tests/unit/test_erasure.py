"""Erasure: the request names the person, CRM forgets them and confirms, every holder follows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from crm.adapters.translators import erasure_completed, erasure_requested
from crm.domain.commands import RequestErasure
from crm.domain.errors import NotFound
from crm.domain.events import ErasureCompleted
from crm.domain.identifiers import profile_id_for
from crm.domain.matching import tombstone
from crm.service_layer import erasure
from reloop_contracts import privacy
from reloop_shared.clock import FixedClock
from services.crm.tests.fakes import FakeVault, new_store, unit_of_work
from services.crm.tests.given import NOW, PEPPER, PRIVACY_OFFICE, contact, marketing, profile, purchase

CLOCK = FixedClock(NOW)


async def test_an_erasure_request_names_the_persons_subjects_and_accounts_for_every_holder() -> None:
    store = new_store()
    pid = profile(store, "subject:s2", "account:a1", "subject:s1", "email:e1", founded_at=NOW)

    request = await erasure.request_erasure(RequestErasure(pid), unit_of_work(store), CLOCK, PRIVACY_OFFICE)

    [published] = store.published(privacy.ErasureRequested)
    assert (published.subject_ids, published.customer_ids) == (["s1", "s2"], ["a1"])
    assert published.holders == list(privacy.PERSONAL_DATA_HOLDERS)
    status = await erasure.progress(request.request_id, unit_of_work(store))
    assert status.pending == list(privacy.PERSONAL_DATA_HOLDERS)
    assert not status.complete


async def test_crm_forgets_the_person_keeps_only_keyed_hashes_and_confirms() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    pid = profile(store, "subject:s1", "account:a1", "email:e1", founded_at=NOW - timedelta(days=3))
    other = profile(store, "subject:s9", founded_at=NOW - timedelta(days=3))
    marketing(store, "subject:s1", True, NOW - timedelta(days=3))
    contact(store, vault, "s1", {"email": "ines@example.org"}, NOW - timedelta(days=3))
    contact(store, vault, "s9", {"email": "someone@example.org"}, NOW - timedelta(days=3))
    purchase(store, "sale-1", "subject:s1", NOW - timedelta(days=3))
    await erasure.request_erasure(RequestErasure(pid), unit_of_work(store), CLOCK, PRIVACY_OFFICE)
    [request] = store.published(privacy.ErasureRequested)

    await erasure.when_erasure_requested_forget_the_person(
        erasure_requested(request), unit_of_work(store), vault, CLOCK
    )

    tables = store.tables
    assert set(tables.identifiers) == {"subject:s9"}
    assert set(tables.profiles) == {other}
    assert set(tables.contacts) == {"s9"}
    assert (tables.consents, tables.timeline, tables.identity_links) == ({}, {}, {})
    assert tables.sale_catchments == {"sale-1": None}  # the analytics keep the sale, not where its buyer lives
    assert {tombstone(PEPPER, n) for n in ("subject:s1", "account:a1", f"profile:{pid}", "sale:sale-1")} <= set(
        tables.erased_identifiers
    )
    assert tombstone(PEPPER, f"profile:{profile_id_for(PEPPER, 'account:a1')}") in tables.erased_identifiers
    assert vault.destroyed == {"s1"}  # someone else's key is untouched
    assert store.published(privacy.ErasureRequested) == []  # it named the person; it was sent
    [confirmed] = store.published(privacy.ErasureCompleted)
    assert (confirmed.request_id, confirmed.service, confirmed.completed_at) == (request.request_id, "crm", NOW)
    assert confirmed.records_erased > 0


async def test_the_request_completes_once_every_holder_confirmed() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", founded_at=NOW)
    request = await erasure.request_erasure(RequestErasure(pid), unit_of_work(store), CLOCK, PRIVACY_OFFICE)

    for holder in privacy.PERSONAL_DATA_HOLDERS:
        status = await erasure.progress(request.request_id, unit_of_work(store))
        assert not status.complete
        confirmation = ErasureCompleted(request.request_id, holder, 3, "", NOW)
        await erasure.when_erasure_completed_record_it(confirmation, unit_of_work(store))
        await erasure.when_erasure_completed_record_it(confirmation, unit_of_work(store))

    status = await erasure.progress(request.request_id, unit_of_work(store))
    assert status.complete
    assert status.pending == []
    assert set(status.confirmations) == set(privacy.PERSONAL_DATA_HOLDERS)


async def test_a_confirmation_read_before_its_request_is_kept_and_the_request_completes_later() -> None:
    store = new_store()
    event = privacy.ErasureCompleted(request_id="r-1", service="orders", records_erased=1, completed_at=NOW)
    await erasure.when_erasure_completed_record_it(erasure_completed(event), unit_of_work(store))

    status = await erasure.progress("r-1", unit_of_work(store))

    assert status.holders == []
    assert not status.complete
    assert set(status.confirmations) == {"orders"}


async def test_erasing_an_unknown_profile_or_following_an_unknown_request_is_not_found() -> None:
    store = new_store()
    with pytest.raises(NotFound):
        await erasure.request_erasure(RequestErasure(uuid.uuid4()), unit_of_work(store), CLOCK, PRIVACY_OFFICE)
    with pytest.raises(NotFound):
        await erasure.progress("no-such-request", unit_of_work(store))
    assert store.outbox == []
