"""The local payment provider: its deterministic decline rule and the books it keeps."""

from __future__ import annotations

import pytest

from orders.adapters.local_payments import DECLINED_TOKEN, DeclineRules, LocalLedgerPaymentProvider
from orders.domain.errors import PaymentFailed
from reloop_contracts.amounts import Money
from services.orders.tests.fakes import InMemoryLedger, OrdersTables

RULES = DeclineRules(limit_minor=100_000)


def _provider() -> LocalLedgerPaymentProvider:
    return LocalLedgerPaymentProvider(InMemoryLedger(OrdersTables()), RULES)


def test_the_declined_test_token_is_always_declined() -> None:
    assert RULES.decline_reason(Money(1, "EUR"), DECLINED_TOKEN) == "card_declined"


def test_an_amount_above_the_limit_is_declined_and_one_at_the_limit_is_approved() -> None:
    assert RULES.decline_reason(Money(100_001, "EUR"), "tok_visa") == "amount_over_limit"
    assert RULES.decline_reason(Money(100_000, "EUR"), "tok_visa") is None


def test_something_that_is_not_a_provider_token_is_declined() -> None:
    assert RULES.decline_reason(Money(100, "EUR"), "4242424242424242") == "invalid_token"


async def test_a_declined_authorisation_is_recorded_and_cannot_be_captured() -> None:
    provider = _provider()
    declined = await provider.authorize("ord-1", Money(5000, "EUR"), DECLINED_TOKEN)
    assert (declined.approved, declined.decline_reason) == (False, "card_declined")
    with pytest.raises(PaymentFailed):
        await provider.capture(declined.authorization_id, Money(5000, "EUR"))


async def test_an_approved_payment_is_captured_and_refunded_but_never_beyond_the_capture() -> None:
    provider = _provider()
    authorization = await provider.authorize("ord-1", Money(5000, "EUR"), "tok_visa")
    with pytest.raises(PaymentFailed):
        await provider.capture(authorization.authorization_id, Money(5001, "EUR"))
    capture_id = await provider.capture(authorization.authorization_id, Money(5000, "EUR"))

    await provider.refund(capture_id, Money(3000, "EUR"), "ord-1/line/L1")
    with pytest.raises(PaymentFailed):
        await provider.refund(capture_id, Money(2001, "EUR"), "ord-1/line/L2")
    await provider.refund(capture_id, Money(2000, "EUR"), "ord-1/line/L2")


async def test_refunding_twice_with_the_same_reference_is_one_refund() -> None:
    tables = OrdersTables()
    provider = LocalLedgerPaymentProvider(InMemoryLedger(tables), RULES)
    authorization = await provider.authorize("ord-1", Money(5000, "EUR"), "tok_visa")
    capture_id = await provider.capture(authorization.authorization_id, Money(5000, "EUR"))
    first = await provider.refund(capture_id, Money(5000, "EUR"), "ord-1/return/r1")
    again = await provider.refund(capture_id, Money(5000, "EUR"), "ord-1/return/r1")
    assert first == again
    assert len(tables.ledger_refunds) == 1


async def test_authorising_the_same_order_again_answers_with_the_first_authorisation() -> None:
    provider = _provider()
    first = await provider.authorize("ord-1", Money(5000, "EUR"), "tok_visa")
    assert await provider.authorize("ord-1", Money(5000, "EUR"), "tok_visa") == first
    with pytest.raises(PaymentFailed):
        await provider.authorize("ord-1", Money(9000, "EUR"), "tok_visa")
