"""A profile is found by account or subject id, or by e-mail or phone however they are written."""

from __future__ import annotations

import pytest

from crm.domain.commands import FindProfile
from crm.domain.errors import NoIdentifierGiven, NotFound
from crm.domain.matching import email_identifier, matching_hash, normalise_phone, phone_identifier
from crm.service_layer.lookup import find_profile
from services.crm.tests.fakes import FakeVault, new_store, unit_of_work
from services.crm.tests.given import NOW, PEPPER, profile


def test_matching_hashes_agree_for_the_same_phone_written_differently_and_need_the_pepper() -> None:
    local = matching_hash(PEPPER, "phone", normalise_phone("06 12 34 56 78"))
    assert local == matching_hash(PEPPER, "phone", normalise_phone("+33 6 12 34 56 78"))
    assert local == matching_hash(PEPPER, "phone", normalise_phone("0033 6 12 34 56 78"))
    assert local != matching_hash(b"another pepper", "phone", normalise_phone("06 12 34 56 78"))


async def test_a_profile_is_found_by_any_of_its_identifiers() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    email, phone = email_identifier(PEPPER, "ines@example.org"), phone_identifier(PEPPER, "0611223344")
    pid = profile(store, "account:a1", "subject:s1", email, phone, founded_at=NOW)

    for query in (
        FindProfile(account_id="a1"),
        FindProfile(subject_id="s1"),
        FindProfile(email="  Ines@Example.org "),
        FindProfile(phone="+33 6 11 22 33 44"),
    ):
        assert await find_profile(query, unit_of_work(store), vault) == pid


async def test_finding_a_profile_needs_an_identifier_and_an_unknown_one_is_not_found() -> None:
    store, vault = new_store(), FakeVault(PEPPER)
    with pytest.raises(NoIdentifierGiven):
        await find_profile(FindProfile(), unit_of_work(store), vault)
    with pytest.raises(NotFound):
        await find_profile(FindProfile(account_id="nobody"), unit_of_work(store), vault)
