"""Who owns the customer data a shop captures, and when contact details may reach CRM."""

from __future__ import annotations

import pytest

from services.store_sync.tests.builders import NOW, paris_shop, partner_shop
from store_sync.domain.errors import InvalidPolicy, InvalidShop
from store_sync.domain.policy import Contact, CustomerDataPolicy, TillCustomer, decide

CONTACT = Contact(email="ana@example.org", phone="+33 6 12 34 56 78")


def _customer(marketing: bool = False, partner_sharing: bool = False) -> TillCustomer:
    return TillCustomer(contact=CONTACT, marketing=marketing, partner_sharing=partner_sharing)


def test_an_own_shops_customer_data_is_reloops_and_reaches_crm() -> None:
    shop = paris_shop()
    assert shop.policy == CustomerDataPolicy("reloop", "always")
    assert decide(shop.policy, _customer()).allowed


def test_a_partner_shop_by_default_keeps_its_customers_unless_they_agree_to_share() -> None:
    shop = partner_shop()
    assert shop.policy == CustomerDataPolicy("partner", "with_consent")
    assert not decide(shop.policy, _customer(marketing=True)).allowed
    assert decide(shop.policy, _customer(partner_sharing=True)).allowed


def test_reloop_owned_data_shared_with_consent_needs_the_marketing_consent() -> None:
    policy = CustomerDataPolicy("reloop", "with_consent")
    assert not decide(policy, _customer(partner_sharing=True)).allowed
    assert decide(policy, _customer(marketing=True)).allowed


def test_a_never_policy_makes_every_sale_anonymous_whatever_the_consent() -> None:
    for owner in ("reloop", "partner"):
        assert not decide(CustomerDataPolicy(owner, "never"), _customer(True, True)).allowed


def test_partner_owned_data_can_never_be_shared_without_consent() -> None:
    with pytest.raises(InvalidPolicy) as refused:
        CustomerDataPolicy("partner", "always")
    assert refused.value.field == "crm_sharing"


def test_a_customer_who_gave_nothing_identifying_has_nothing_to_share() -> None:
    sharing = decide(CustomerDataPolicy("reloop", "always"), TillCustomer(marketing=True))
    assert not sharing.allowed


def test_a_shop_policy_overrides_its_operators_and_falls_back_to_it_when_removed() -> None:
    shop = partner_shop(operator_policy=CustomerDataPolicy("reloop", "always"))
    assert shop.policy == CustomerDataPolicy("reloop", "always")
    shop.set_policy(CustomerDataPolicy("partner", "never"), NOW)
    assert shop.policy == CustomerDataPolicy("partner", "never")
    shop.set_policy(None, NOW)
    assert shop.policy == CustomerDataPolicy("reloop", "always")
    changes = [e for e in shop.recorder.events if type(e).__name__ == "PolicyChanged"]
    assert len(changes) == 2


def test_an_own_shop_cannot_hand_its_customers_to_a_partner() -> None:
    shop = paris_shop()
    with pytest.raises(InvalidShop) as refused:
        shop.set_policy(CustomerDataPolicy("partner", "with_consent"), NOW)
    assert refused.value.field == "data_owner"
    assert shop.policy.data_owner == "reloop"
