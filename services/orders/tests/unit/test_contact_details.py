"""The contact details given at checkout stay with the order, sealed, and go out with its sale and
its returns exactly as a till's customer would."""

from __future__ import annotations

import dataclasses

import pytest

from orders.adapters.translators import to_contract
from orders.domain import events
from orders.domain.customer import ContactDetails
from orders.domain.errors import WrongState
from reloop_contracts import sales
from reloop_contracts.common import Consent, CustomerRef, SealedPersonalData
from services.orders.tests.builders import CONTACT, NOW, checked_out, delivered, placed, recorded


def test_only_the_details_the_customer_gave_are_sealed() -> None:
    given = ContactDetails("ada@example.org", None, "Ada", "", marketing=True)
    assert given.fields() == {"email": "ada@example.org", "name": "Ada"}


def test_a_placed_order_records_its_sale_with_the_sealed_contact_details_and_the_consent() -> None:
    [placed_event] = recorded(placed(CONTACT), events.OrderPlaced)
    [sale] = [e for e in to_contract(placed_event) if isinstance(e, sales.SaleRecorded)]
    assert sale.customer == CustomerRef(
        customer_id="cust-1",
        subject_id="sub-1",
        personal=SealedPersonalData(key_id="sub-1", nonce="bm9uY2U=", ciphertext="c2VhbGVk"),
        consent=Consent(marketing=True, partner_sharing=False, captured_at=NOW, captured_by="online"),
        data_owner="reloop",
    )


def test_a_return_of_the_order_names_the_customer_as_its_sale_did() -> None:
    order = delivered(contact=CONTACT)
    order.request_return("ret-1", ["L2"], "not needed", NOW)
    order.return_refunded("ret-1", order.receive_return("ret-1"), "ref-1", NOW)
    [received] = recorded(order, events.ReturnReceived)
    [returned] = to_contract(received)
    [sold] = [e for e in to_contract(recorded(order, events.OrderPlaced)[0]) if isinstance(e, sales.SaleRecorded)]
    assert isinstance(returned, sales.ReturnRecorded)
    assert returned.customer == sold.customer
    assert returned.customer is not None
    assert returned.customer.subject_id == "sub-1"


def test_a_sale_without_contact_details_names_only_the_account() -> None:
    [placed_event] = recorded(placed(), events.OrderPlaced)
    [sale] = [e for e in to_contract(placed_event) if isinstance(e, sales.SaleRecorded)]
    assert sale.customer == CustomerRef(customer_id="cust-1")


def test_contact_details_are_taken_once_and_only_at_checkout() -> None:
    order = checked_out(contact=CONTACT)
    with pytest.raises(WrongState) as twice:
        order.capture_contact(CONTACT)
    assert twice.value.field == "contact"
    with pytest.raises(WrongState):
        placed().capture_contact(CONTACT)


def test_contact_details_given_without_being_asked_for_consent_leave_any_earlier_consent_standing() -> None:
    not_asked = dataclasses.replace(CONTACT, consent=None)
    [placed_event] = recorded(placed(not_asked), events.OrderPlaced)
    [sale] = [e for e in to_contract(placed_event) if isinstance(e, sales.SaleRecorded)]
    assert sale.customer is not None
    assert (sale.customer.subject_id, sale.customer.consent) == ("sub-1", None)
