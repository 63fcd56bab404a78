"""Consent changed through CRM: kept with its history on the profile's founding identifier."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from crm.adapters.translators import consent_changed
from crm.domain.commands import ChangeConsent
from crm.domain.consent_and_ownership import current_consents
from crm.domain.errors import NotFound
from crm.domain.matching import tombstone
from crm.service_layer import consents
from reloop_contracts import crm
from reloop_shared.clock import FixedClock
from services.crm.tests.fakes import FakeCustomerRecords, FakeVault, new_store, unit_of_work
from services.crm.tests.given import NOW, PEPPER, marketing, profile

CLOCK = FixedClock(NOW)


async def test_a_consent_change_is_recorded_on_the_founding_identifier_and_published() -> None:
    store = new_store()
    pid = profile(store, "subject:s1", "account:a1", founded_at=NOW - timedelta(days=9))
    marketing(store, "subject:s1", True, NOW - timedelta(days=9))

    change = ChangeConsent(pid, "marketing", False, "customer_service")
    event = await consents.change_consent(change, unit_of_work(store), CLOCK)

    records = (await FakeCustomerRecords(store.tables).consent_records([pid]))[pid]
    state = current_consents(records)["marketing"]
    assert (state.granted, state.captured_at, state.captured_by) == (False, NOW, "customer_service")
    [published] = store.published(crm.ConsentChanged)
    assert published.change_id == event.change_id
    assert (published.identifier, published.purpose, published.granted) == ("subject:s1", "marketing", False)


async def test_a_consent_change_for_an_unknown_profile_is_refused_and_changes_nothing() -> None:
    store = new_store()
    with pytest.raises(NotFound):
        await consents.change_consent(
            ChangeConsent(uuid.uuid4(), "marketing", True, "online"), unit_of_work(store), CLOCK
        )
    assert store.outbox == []
    assert store.tables.consents == {}


async def test_a_consent_change_read_back_is_kept_once_and_never_for_an_erased_person() -> None:
    live = new_store()
    pid = profile(live, "subject:s1", founded_at=NOW)
    await consents.change_consent(ChangeConsent(pid, "marketing", True, "online"), unit_of_work(live), CLOCK)
    [published] = live.published(crm.ConsentChanged)
    replay, erased = new_store(), new_store()
    erased.tables.erased_identifiers[tombstone(PEPPER, "subject:s1")] = ("request-1", NOW)

    for store in (replay, replay, erased):
        await consents.when_consent_changed_record_it(
            consent_changed(published), unit_of_work(store), FakeVault(PEPPER)
        )

    assert replay.tables.consents == live.tables.consents
    assert erased.tables.consents == {}
    assert replay.outbox == []
