"""Vouchers on a till's sales travel as their code's hash, with the hold they convert; a trade-in
quoted online and brought to a shop is only collected there, for nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reloop_contracts import sales, store
from reloop_contracts.voucher_codes import voucher_code_hash
from services.store_sync.tests.builders import NOW, eur, paris_shop, register_paris
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import InvalidTransaction
from store_sync.domain.idempotency import fingerprint
from store_sync.domain.rules import checked
from store_sync.domain.transactions import Device, Payment, TradeIn
from store_sync.domain.voucher_holds import on_the_bus
from store_sync.entrypoints.http.transaction_schemas import SaleIn
from store_sync.service_layer import ingestion

CODE = "TRD-7KQ2-M9WD-4HTZ-R8CE"


def _sale_paid_with_a_voucher(code: str = CODE, reference: str | None = "H-1") -> SaleIn:
    return SaleIn.model_validate(
        {
            "client_txn_id": "T-1",
            "occurred_at": NOW.isoformat(),
            "lines": [
                {
                    "line_id": "1",
                    "kind": "accessory",
                    "sku": "CHG-USB-C-20W",
                    "unit_price": {"amount_minor": 4990, "currency": "EUR"},
                }
            ],
            "payments": [
                {
                    "method": "voucher",
                    "amount": {"amount_minor": 2000, "currency": "EUR"},
                    "voucher_code": code,
                    "reference": reference,
                },
                {"method": "card", "amount": {"amount_minor": 2990, "currency": "EUR"}},
            ],
            "total": {"amount_minor": 4990, "currency": "EUR"},
        }
    )


def _collected(trade_in_id: str | None, payout: int) -> TradeIn:
    device = Device("serial", "C02XK1ZZJG5J", "IPH12-64-BLK-GD")
    return TradeIn("TI-1", NOW, device, eur(payout), "store_credit", trade_in_id=trade_in_id)


def test_a_voucher_code_is_hashed_as_the_sale_arrives_and_the_domain_never_holds_it() -> None:
    sale = _sale_paid_with_a_voucher().domain()
    voucher = sale.payments[0]
    assert voucher.voucher_code_hash == voucher_code_hash(CODE)
    assert CODE not in repr(sale)
    assert CODE.replace("-", "")[3:] not in repr(sale)


def test_a_code_typed_differently_is_the_same_sale() -> None:
    typed = _sale_paid_with_a_voucher("trd 7kq2 m9wd 4htz r8ce").domain()
    assert fingerprint(typed) == fingerprint(_sale_paid_with_a_voucher().domain())


async def test_a_voucher_line_goes_out_with_the_codes_hash_no_code_and_the_hold_it_converts() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    command = commands.IngestTransactions(shop_id, (_sale_paid_with_a_voucher().domain(),))
    await ingestion.ingest(command, twin.uow(), twin.sealer, twin.clock)
    [sold] = twin.store.published(sales.SaleRecorded)
    voucher, card = sold.payments
    assert (voucher.voucher_code_hash, voucher.voucher_code) == (voucher_code_hash(CODE), None)
    assert voucher.reference == on_the_bus(shop_id, "H-1"), "the hold as trade-in knows it"
    assert card.reference is None
    assert CODE not in sold.model_dump_json()


async def test_a_voucher_taken_offline_names_no_hold() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    command = commands.IngestTransactions(shop_id, (_sale_paid_with_a_voucher(reference=None).domain(),))
    await ingestion.ingest(command, twin.uow(), twin.sealer, twin.clock)
    [sold] = twin.store.published(sales.SaleRecorded)
    assert sold.payments[0].reference is None
    assert sold.payments[0].voucher_code_hash == voucher_code_hash(CODE)


def test_only_a_voucher_payment_names_a_voucher_code() -> None:
    sale = _sale_paid_with_a_voucher().domain()
    card_with_a_code = replace(sale.payments[1], voucher_code_hash=voucher_code_hash(CODE))
    wrong = replace(sale, payments=(sale.payments[0], card_with_a_code))
    with pytest.raises(InvalidTransaction) as refused:
        checked(wrong, paris_shop(), NOW)
    assert refused.value.field == "payments.1.voucher_code"


def test_a_malformed_voucher_code_is_refused_naming_its_field() -> None:
    with pytest.raises(ValueError, match="voucher code"):
        _sale_paid_with_a_voucher("!!")


def test_a_trade_in_quoted_online_is_only_collected_at_the_shop_and_paid_nothing_there() -> None:
    with pytest.raises(InvalidTransaction) as refused:
        checked(_collected("TI-ONLINE-7", 12000), paris_shop(), NOW)
    assert refused.value.field == "payout.amount_minor"
    assert checked(_collected("TI-ONLINE-7", 0), paris_shop(), NOW).payout == eur(0)


async def test_a_collected_trade_in_names_the_online_trade_in_on_its_drop_off() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    command = commands.IngestTransactions(
        shop_id, (_collected("TI-ONLINE-7", 0), replace(_collected(None, 9000), client_txn_id="TI-2"))
    )
    await ingestion.ingest(command, twin.uow(), twin.sealer, twin.clock)
    dropped = {d.pos_transaction_id: d for d in twin.store.published(store.TradeInDroppedOff)}
    assert (dropped["TI-1"].trade_in_id, dropped["TI-1"].payout.amount_minor) == ("TI-ONLINE-7", 0)
    assert (dropped["TI-2"].trade_in_id, dropped["TI-2"].payout.amount_minor) == (None, 9000)


def test_a_payment_keeps_no_field_for_a_code_in_clear() -> None:
    assert "voucher_code" not in Payment.__dataclass_fields__
