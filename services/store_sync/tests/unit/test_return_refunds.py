"""A till's return may say how it paid the refund back, store credit onto the sale's voucher
included: the voucher travels as its code's hash with the sale's hold as trade-in knows it, the
refunds add up to the lines, and a return that says nothing is taken as before."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from reloop_contracts import sales
from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import voucher_code_hash
from services.store_sync.tests.builders import NOW, eur, paris_shop, register_paris
from services.store_sync.tests.fakes import Twin
from store_sync.adapters.waiting_returns import from_waiting, waiting_return
from store_sync.domain import commands
from store_sync.domain.errors import InvalidTransaction
from store_sync.domain.idempotency import fingerprint
from store_sync.domain.policy import TillCustomer
from store_sync.domain.rules import checked
from store_sync.domain.transactions import Payment, Return, ReturnLine
from store_sync.domain.voucher_holds import on_the_bus
from store_sync.entrypoints.http.transaction_schemas import ReturnIn, SaleIn
from store_sync.service_layer import ingestion

CODE = "TRD-7KQ2-M9WD-4HTZ-R8CE"
OTHER_CODE = "TRD-AAAA-BBBB-CCCC-DDDD"


def _money(amount_minor: int, currency: str = "EUR") -> dict[str, Any]:
    return {"amount_minor": amount_minor, "currency": currency}


def _sale_paid_with_a_voucher() -> SaleIn:
    return SaleIn.model_validate(
        {
            "client_txn_id": "T-1",
            "occurred_at": NOW.isoformat(),
            "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-USB-C-20W", "unit_price": _money(4990)}],
            "payments": [
                {"method": "voucher", "amount": _money(2000), "voucher_code": CODE, "reference": "H-1"},
                {"method": "card", "amount": _money(2990)},
            ],
            "total": _money(4990),
        }
    )


def _return(refunds: list[dict[str, Any]] | None, client_txn_id: str = "R-1") -> ReturnIn:
    body: dict[str, Any] = {
        "client_txn_id": client_txn_id,
        "occurred_at": NOW.isoformat(),
        "sale_txn_id": "T-1",
        "lines": [{"line_id": "1", "kind": "accessory", "sku": "CHG-USB-C-20W", "refund": _money(4990)}],
    }
    if refunds is not None:
        body["refunds"] = refunds
    return ReturnIn.model_validate(body)


def _onto_the_voucher(code: str = CODE, reference: str | None = "H-1") -> list[dict[str, Any]]:
    voucher: dict[str, Any] = {"method": "voucher", "amount": _money(2000), "voucher_code": code}
    if reference is not None:
        voucher["reference"] = reference
    return [voucher, {"method": "card", "amount": _money(2990)}]


async def _recorded(*transactions: SaleIn | ReturnIn) -> tuple[str, Twin, sales.ReturnRecorded]:
    twin = Twin()
    shop_id = await register_paris(twin)
    for txn in transactions:
        command = commands.IngestTransactions(shop_id, (txn.domain(),))
        await ingestion.ingest(command, twin.uow(), twin.sealer, twin.clock)
    [returned] = twin.store.published(sales.ReturnRecorded)
    return shop_id, twin, returned


def test_a_voucher_refunds_code_is_hashed_as_the_return_arrives_and_the_domain_never_holds_it() -> None:
    ret = _return(_onto_the_voucher()).domain()
    assert ret.refunds is not None
    assert ret.refunds[0].voucher_code_hash == voucher_code_hash(CODE)
    assert ret.refunds[0].reference == "H-1"
    assert CODE not in repr(ret)
    assert CODE.replace("-", "") not in repr(ret)


def test_a_malformed_voucher_code_on_a_refund_is_refused_naming_its_field() -> None:
    with pytest.raises(ValidationError) as refused:
        _return(_onto_the_voucher(code="!!"))
    assert [error["loc"] for error in refused.value.errors()] == [("refunds", 0, "voucher_code")]


def test_a_return_that_adds_its_refunds_up_is_accepted() -> None:
    ret = checked(_return(_onto_the_voucher()).domain(), paris_shop(), NOW)
    assert isinstance(ret, Return)
    assert ret.refunds is not None
    assert [r.method for r in ret.refunds] == ["voucher", "card"]


def _voucher_without_a_code(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(replace(ret.refunds[0], voucher_code_hash=None), ret.refunds[1]))


def _card_with_a_code(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(ret.refunds[0], replace(ret.refunds[1], voucher_code_hash=voucher_code_hash(CODE))))


def _short(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(ret.refunds[0], replace(ret.refunds[1], amount=eur(2989))))


def _other_currency(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(replace(ret.refunds[0], amount=Money(2000, "USD")), ret.refunds[1]))


def _unknown_method(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(ret.refunds[0], replace(ret.refunds[1], method="barter")))


def _odd_hold(ret: Return) -> Return:
    assert ret.refunds is not None
    return replace(ret, refunds=(replace(ret.refunds[0], reference="H 1 !"), ret.refunds[1]))


@pytest.mark.parametrize(
    ("broken", "field", "words"),
    [
        (_voucher_without_a_code, "refunds.0.voucher_code", "names its code"),
        (_card_with_a_code, "refunds.1.voucher_code", "only a voucher refund"),
        (_short, "refunds", r"do not add up to the lines' refunds \(4990\)"),
        (_other_currency, "refunds.0.amount.currency", "not USD"),
        (_unknown_method, "refunds.1.method", "'barter'"),
        (_odd_hold, "refunds.0.reference", "transaction id"),
    ],
)
def test_a_return_whose_refunds_break_a_rule_is_refused_naming_the_field(broken: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidTransaction, match=words) as refused:
        checked(broken(_return(_onto_the_voucher()).domain()), paris_shop(), NOW)
    assert refused.value.field == field


def test_a_return_that_says_nothing_of_its_refunds_is_checked_as_before() -> None:
    ret = checked(_return(None).domain(), paris_shop(), NOW)
    assert isinstance(ret, Return)
    assert ret.refunds is None
    assert _return([]).domain().refunds is None, "an empty list says nothing either"


@dataclass(frozen=True)
class _ReturnBeforeRefunds:
    """A return as it was before tills could say how they refunded: its digests are on record."""

    client_txn_id: str
    occurred_at: datetime
    lines: tuple[ReturnLine, ...]
    sale_txn_id: str | None = None
    sale_id: str | None = None
    customer: TillCustomer | None = None


def test_a_return_without_refunds_keeps_the_digest_it_had_before_refunds_existed() -> None:
    ret = _return(None).domain()
    before = _ReturnBeforeRefunds(ret.client_txn_id, ret.occurred_at, ret.lines, ret.sale_txn_id)
    assert fingerprint(ret) == fingerprint(before)


def test_the_digest_of_a_return_uses_the_codes_hash_not_the_code() -> None:
    typed = _return(_onto_the_voucher(code="trd 7kq2 m9wd 4htz r8ce")).domain()
    as_printed = _return(_onto_the_voucher()).domain()
    assert fingerprint(typed) == fingerprint(as_printed), "the same voucher typed another way"
    assert fingerprint(_return(_onto_the_voucher(code=OTHER_CODE)).domain()) != fingerprint(as_printed)
    assert fingerprint(_return(None).domain()) != fingerprint(as_printed), "saying how is saying more"


async def test_a_voucher_refund_goes_out_with_the_codes_hash_no_code_and_the_sales_hold() -> None:
    shop_id, twin, returned = await _recorded(_sale_paid_with_a_voucher(), _return(_onto_the_voucher()))
    [sold] = twin.store.published(sales.SaleRecorded)
    voucher, card = returned.refunds
    assert (voucher.method, voucher.amount.amount_minor, voucher.amount.currency) == ("voucher", 2000, "EUR")
    assert (voucher.voucher_code_hash, voucher.voucher_code) == (voucher_code_hash(CODE), None)
    assert voucher.reference == on_the_bus(shop_id, "H-1") == sold.payments[0].reference
    assert (card.method, card.amount.amount_minor, card.reference, card.voucher_code_hash) == ("card", 2990, None, None)
    assert CODE not in returned.model_dump_json()


async def test_store_credit_onto_a_voucher_taken_offline_names_no_hold() -> None:
    _, _, returned = await _recorded(_sale_paid_with_a_voucher(), _return(_onto_the_voucher(reference=None)))
    assert returned.refunds[0].reference is None
    assert returned.refunds[0].voucher_code_hash == voucher_code_hash(CODE)


async def test_a_return_that_says_nothing_of_its_refunds_goes_out_with_none() -> None:
    _, _, returned = await _recorded(_sale_paid_with_a_voucher(), _return(None))
    assert returned.refunds == []


async def test_a_return_waiting_for_its_sale_keeps_its_refunds_by_hash_until_the_sale_arrives() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    first = commands.IngestTransactions(shop_id, (_return(_onto_the_voucher()).domain(),))
    [waiting] = await ingestion.ingest(first, twin.uow(), twin.sealer, twin.clock)
    stored = repr(twin.tables.transactions)
    second = commands.IngestTransactions(shop_id, (_sale_paid_with_a_voucher().domain(),))
    await ingestion.ingest(second, twin.uow(), twin.sealer, twin.clock)
    [returned] = twin.store.published(sales.ReturnRecorded)
    assert waiting.result == "waiting_for_sale"
    assert voucher_code_hash(CODE) in stored
    assert CODE not in stored
    assert CODE.replace("-", "") not in stored
    assert returned.refunds[0].voucher_code_hash == voucher_code_hash(CODE)
    assert returned.refunds[0].reference == on_the_bus(shop_id, "H-1")


def test_a_waiting_return_stored_before_refunds_existed_reads_back_as_saying_nothing() -> None:
    told = _return(_onto_the_voucher()).domain()
    assert from_waiting(waiting_return(told, None))[0] == told
    untold = _return(None).domain()
    assert "refunds" not in waiting_return(untold, None)
    assert from_waiting(waiting_return(untold, None))[0].refunds is None


def test_a_refund_keeps_no_field_for_a_code_in_clear() -> None:
    ret = _return(_onto_the_voucher()).domain()
    assert ret.refunds is not None
    assert all(isinstance(r, Payment) for r in ret.refunds)
    assert "voucher_code" not in Payment.__dataclass_fields__
