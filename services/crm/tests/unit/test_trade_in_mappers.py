"""Trade-in and voucher events become timeline entries on threads, and the figures' facts."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from crm.adapters.mappers import observe
from crm.domain.observations import GradingFact, Observation, ShopTradeInFact, VoucherFact
from crm.entrypoints.consumers import subscription
from crm.service_layer.unit_of_work import CrmUnitOfWork
from reloop_contracts import EnvelopeHeader, Event
from reloop_contracts import trade_in as contracts
from reloop_shared.clock import FixedClock
from reloop_shared.consumer.subscription import Subscription
from services.crm.tests.fakes import FakeVault
from services.crm.tests.trade_in_events import (
    a_trade_in_paid_in_a_voucher_spent_in_a_shop,
    grading_checked,
    issued,
    shop_trade_in,
)

AT = datetime(2026, 6, 1, tzinfo=UTC)


def envelope_of(event: Event) -> EnvelopeHeader:
    return EnvelopeHeader(
        event_id=uuid.uuid4(),
        event_type=type(event).__name__,
        schema_version=1,
        occurred_at=AT,
        producer="trade-in",
        correlation_id=str(uuid.uuid4()),
    )


def contracts_fact_of(voucher: contracts.VoucherIssued) -> VoucherFact:
    return VoucherFact(voucher.voucher_id, voucher.market, "EUR", voucher.amount.amount_minor, voucher.issued_at)


def test_a_quote_and_a_voucher_issue_name_their_customer_and_every_step_carries_its_thread() -> None:
    steps = a_trade_in_paid_in_a_voucher_spent_in_a_shop("acc-1", AT)
    observed = [observe(e, envelope_of(e)) for e in steps]

    named = [(o.entry.kind, o.customer.account_id) for o in observed if o and o.entry and o.customer]
    threads = [o.entry.thread for o in observed if o and o.entry]

    assert named == [("trade_in_quoted", "acc-1"), ("voucher_issued", "acc-1")]
    trade_in_id, voucher_id = steps[0].trade_in_id, steps[-1].voucher_id  # type: ignore[attr-defined]
    assert threads == [f"trade-in:{trade_in_id}"] * 9 + [f"voucher:{voucher_id}"] * 2


def test_a_redemption_hangs_on_its_sale_too_and_is_a_fact_for_the_basket_figures() -> None:
    spent = a_trade_in_paid_in_a_voucher_spent_in_a_shop("acc-1", AT)[-1]
    assert isinstance(spent, contracts.VoucherRedeemed)

    observed = observe(spent, envelope_of(spent))

    assert observed is not None
    assert observed.entry is not None
    assert (observed.entry.sale_id, observed.entry.location_id) == (spent.sale_id, "shop-paris")
    assert json.loads(observed.entry.detail)["basket"] == {"amount_minor": 31_000, "currency": "EUR"}
    assert observed.redemption is not None
    assert (observed.redemption.basket_minor, observed.redemption.shop_id) == (31_000, "shop-paris")


def test_issues_shop_trade_ins_and_grading_checks_are_facts_and_a_grading_check_is_not_on_any_timeline() -> None:
    voucher = issued("v-1", AT, 12_000, market="ES")
    shop = shop_trade_in("t-1", "shop-madrid", AT)
    check = grading_checked("t-1", "shop-madrid", False, AT)

    v, s, c = (observe(e, envelope_of(e)) for e in (voucher, shop, check))

    assert v is not None
    assert (v.voucher, v.customer) == (contracts_fact_of(voucher), None)
    assert s is not None
    assert s.entry is not None
    assert s.shop_trade_in == ShopTradeInFact("t-1", "shop-madrid", AT, "EUR", 15_000)
    assert s.entry.thread == "trade-in:t-1"
    assert c is not None
    assert (c.grading, c.entry) == (GradingFact("t-1", "shop-madrid", False, AT), None)


def no_unit_of_work(tx: object) -> CrmUnitOfWork:
    raise AssertionError("nothing is applied here")


async def no_projection(run: Sequence[Observation], tx: object) -> None:
    raise AssertionError("nothing is applied here")


def test_crm_reads_both_trade_in_topics_and_skips_only_holds_and_the_refurbished_unit() -> None:
    consumed: Subscription[object] = subscription(no_unit_of_work, no_projection, FakeVault(), FixedClock(AT))
    events = {e for topic in (contracts.TRADE_INS, contracts.VOUCHERS) for e in topic.events}

    skipped = {e.__name__ for e in events if e not in consumed.accepts}

    assert {contracts.TRADE_INS.name, contracts.VOUCHERS.name} <= set(consumed.topic_names)
    assert skipped == {"TradeInUnitReady", "VoucherHeld", "VoucherHoldRefused", "VoucherReleased"}


def test_a_device_handed_over_at_a_shop_is_a_step_at_that_shop_and_a_mailed_one_names_its_parcel() -> None:
    handed = contracts.TradeInShipped(trade_in_id="ti-9", shop_id="shop-lyon-2", drop_off_id="do-4", shipped_at=AT)
    mailed = contracts.TradeInShipped(trade_in_id="ti-9", shipment_reference="COLISSIMO-8Z123", shipped_at=AT)

    at_shop, by_post = (observe(e, envelope_of(e)) for e in (handed, mailed))

    assert at_shop is not None
    assert at_shop.entry is not None
    assert by_post is not None
    assert by_post.entry is not None
    assert (at_shop.entry.kind, at_shop.entry.location_id, at_shop.entry.thread) == (
        "trade_in_shipped",
        "shop-lyon-2",
        "trade-in:ti-9",
    )
    assert by_post.entry.location_id is None
    assert json.loads(by_post.entry.detail)["shipment_reference"] == "COLISSIMO-8Z123"


def test_a_refund_onto_a_voucher_is_on_its_thread_and_hangs_on_the_sale_it_came_back_from() -> None:
    refund = contracts.VoucherRefunded(
        voucher_id="v-7",
        amount={"amount_minor": 2500, "currency": "EUR"},
        sale_id="sale-3",
        return_id="ret-3",
        channel="own_shop",
        shop_id="shop-lyon-2",
        expires_at=datetime(2026, 7, 1, tzinfo=UTC),
        at=AT,
    )

    observed = observe(refund, envelope_of(refund))

    assert observed is not None
    assert observed.entry is not None
    entry = observed.entry
    assert (entry.kind, entry.thread, entry.sale_id, entry.location_id) == (
        "voucher_refunded",
        "voucher:v-7",
        "sale-3",
        "shop-lyon-2",
    )
    assert json.loads(entry.detail)["amount"] == {"amount_minor": 2500, "currency": "EUR"}
