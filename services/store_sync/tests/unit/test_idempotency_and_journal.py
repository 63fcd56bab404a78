"""A till's transaction id names one transaction of one shop: sent again, it has no second effect."""

from __future__ import annotations

import random
from datetime import timedelta

from services.store_sync.tests.builders import NOW, accessory_sale, device_return, paris_shop, sale
from store_sync.domain import events
from store_sync.domain.idempotency import derived_id, fingerprint
from store_sync.domain.journal import OnRecord, ShopJournal, Submitted
from store_sync.domain.policy import Contact, Sealed, TillCustomer
from store_sync.domain.transactions import Transaction


def _submit(*txns: Transaction) -> list[Submitted]:
    return [Submitted(t, fingerprint(t)) for t in txns]


def _recorded(journal: ShopJournal) -> list[object]:
    journal.record({})
    return list(journal.recorder.events)


def test_canonical_ids_are_derived_from_the_shop_and_the_tills_id_alone() -> None:
    assert derived_id("sale", "PAR-1", "T-1") == derived_id("sale", "PAR-1", "T-1")
    assert derived_id("sale", "PAR-1", "T-1") != derived_id("sale", "PAR-2", "T-1")
    assert derived_id("sale", "PAR-1", "T-1") != derived_id("return", "PAR-1", "T-1")
    assert derived_id("sale", "A-1", "2") != derived_id("sale", "A", "1-2")


def test_the_fingerprint_ignores_contact_details_but_not_what_was_sold() -> None:
    ana = TillCustomer(contact=Contact(email="ana@example.org"))
    bob = TillCustomer(contact=Contact(email="bob@example.org"))
    assert fingerprint(sale("T-1", customer=ana)) == fingerprint(sale("T-1", customer=bob))
    assert fingerprint(sale("T-1")) != fingerprint(sale("T-1", price=100))


def test_a_day_sent_twice_and_shuffled_records_each_transaction_once() -> None:
    day = [sale(f"T-{n}", NOW + timedelta(minutes=n)) for n in range(50)]
    sent = day + day
    random.Random(7).shuffle(sent)
    journal = ShopJournal(paris_shop(), {})
    outcomes = journal.accept(_submit(*sent))
    assert sorted(o.result for o in outcomes) == ["duplicate"] * 50 + ["recorded"] * 50
    recorded = _recorded(journal)
    assert [e.sale.client_txn_id for e in recorded if isinstance(e, events.SaleRecorded)] == [
        t.client_txn_id for t in day
    ]


def test_an_id_on_record_is_a_duplicate_if_it_says_the_same_and_a_conflict_if_not() -> None:
    shop = paris_shop()
    first = sale("T-1")
    on_record = {
        "T-1": OnRecord("T-1", "sale", derived_id("sale", shop.shop_id, "T-1"), fingerprint(first), "recorded")
    }
    journal = ShopJournal(shop, on_record)
    again, changed = journal.accept(_submit(first, sale("T-1", price=100)))
    assert (again.result, changed.result) == ("duplicate", "conflict")
    assert again.canonical_id == changed.canonical_id == derived_id("sale", shop.shop_id, "T-1")
    assert _recorded(journal) == []


def test_a_return_sent_before_its_sale_waits_and_follows_it_once_the_sale_arrives() -> None:
    shop = paris_shop()
    early = ShopJournal(shop, {})
    [waiting] = early.accept(_submit(device_return("R-1", "T-1", NOW + timedelta(hours=1))))
    assert waiting.result == "waiting_for_sale"
    assert _recorded(early) == []
    entry = early.entries[0]
    entry.stored = True
    stored = OnRecord("R-1", "return", entry.canonical_id, entry.fingerprint, "waiting_for_sale")
    later = ShopJournal(shop, {"R-1": stored}, [entry])
    [sold] = later.accept(_submit(sale("T-1")))
    assert sold.result == "recorded"
    recorded = _recorded(later)
    assert [type(e).__name__ for e in recorded] == ["SaleRecorded", "ReturnRecorded"]
    ret = recorded[1]
    assert isinstance(ret, events.ReturnRecorded)
    assert ret.sale_id == derived_id("sale", shop.shop_id, "T-1")
    assert later.released == [entry]


def test_in_one_upload_a_sale_comes_before_its_return_whatever_the_order_sent() -> None:
    journal = ShopJournal(paris_shop(), {})
    outcomes = journal.accept(_submit(device_return("R-1", "T-1", NOW + timedelta(minutes=5)), sale("T-1")))
    assert [o.result for o in outcomes] == ["recorded", "recorded"]
    assert [type(e).__name__ for e in _recorded(journal)] == ["SaleRecorded", "ReturnRecorded"]
    assert [c.device.unit_id for c in journal.collected] == ["U-T-1"]


def test_contact_details_travel_sealed_only_where_the_policy_allows() -> None:
    customer = TillCustomer(contact=Contact(email="ana@example.org"), customer_id="acct-1")
    journal = ShopJournal(paris_shop(), {})
    journal.accept(_submit(sale("T-1", customer=customer)))
    [(subject_id, fields)] = journal.sealing_requests()
    assert fields == {"email": "ana@example.org"}
    journal.record({subject_id: Sealed(subject_id, "n", "c")})
    [recorded] = journal.recorder.events
    assert isinstance(recorded, events.SaleRecorded)
    assert recorded.customer is not None
    assert (recorded.customer.subject_id, recorded.customer.customer_id) == (subject_id, "acct-1")
    assert recorded.customer.sealed == Sealed(subject_id, "n", "c")


def test_a_partner_customer_without_consent_gives_an_anonymous_sale_with_the_consent() -> None:
    from services.store_sync.tests.builders import partner_shop

    customer = TillCustomer(contact=Contact(email="ana@example.org"), customer_id="acct-1", marketing=True)
    journal = ShopJournal(partner_shop(), {})
    journal.accept(_submit(sale("T-1", customer=customer)))
    assert journal.sealing_requests() == []
    [recorded] = _recorded(journal)
    assert isinstance(recorded, events.SaleRecorded)
    out = recorded.customer
    assert out is not None
    assert (out.customer_id, out.subject_id, out.sealed) == (None, None, None)
    assert (out.data_owner, out.marketing, out.partner_sharing) == ("partner", True, False)


def test_the_tax_of_a_sale_is_split_line_by_line() -> None:
    journal = ShopJournal(paris_shop(), {})
    journal.accept(_submit(accessory_sale("T-1", price=799, quantity=3)))
    [entry] = journal.entries
    assert (entry.tax.gross, entry.tax.net, entry.tax.tax) == (2397, 1998, 399)
