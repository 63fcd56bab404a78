"""What a till sends is checked against its shop before anything is recorded."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from reloop_contracts.amounts import Money
from services.store_sync.tests.builders import NOW, eur, paris_shop, sale
from store_sync.domain.errors import InvalidTransaction
from store_sync.domain.rules import checked, luhn_valid_imei
from store_sync.domain.shops import Shop
from store_sync.domain.transactions import Device, TradeIn


def test_a_local_till_time_is_read_in_the_shops_time_zone() -> None:
    paris = paris_shop()
    new_york = Shop.register("NYC-1", "Flagship", "own_shop", "US", "America/New_York", NOW, tax_rate_bp=888)
    local = datetime(2026, 11, 20, 9, 30)
    assert checked(sale("T-1", local), paris, NOW).occurred_at.isoformat() == "2026-11-20T08:30:00+00:00"
    assert new_york.to_utc(local).isoformat() == "2026-11-20T14:30:00+00:00"
    late_evening = new_york.to_utc(datetime(2026, 11, 20, 22, 30))
    assert new_york.business_date(late_evening).isoformat() == "2026-11-20"


def test_a_us_shop_needs_its_own_sales_tax_rate() -> None:
    with pytest.raises(Exception, match="tax rate"):
        Shop.register("NYC-2", "Flagship", "own_shop", "US", "America/New_York", NOW)


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        (lambda s: dataclasses.replace(s, total=eur(1)), "total"),
        (lambda s: dataclasses.replace(s, total=Money(45900, "USD")), "total.currency"),
        (lambda s: dataclasses.replace(s, lines=()), "lines"),
        (lambda s: dataclasses.replace(s, lines=(dataclasses.replace(s.lines[0], unit_id=None),)), "lines.0.unit_id"),
        (lambda s: dataclasses.replace(s, occurred_at=NOW + timedelta(hours=2)), "occurred_at"),
        (lambda s: dataclasses.replace(s, client_txn_id="bad id!"), "client_txn_id"),
    ],
    ids=["total", "currency", "no lines", "device without unit", "in the future", "bad id"],
)
def test_a_sale_that_breaks_a_rule_is_refused_naming_the_field(broken: object, field: str) -> None:
    assert callable(broken)
    with pytest.raises(InvalidTransaction) as refused:
        checked(broken(sale("T-1")), paris_shop(), NOW)
    assert refused.value.field == field


def test_a_trade_in_needs_a_valid_imei() -> None:
    good = "356938035643809"
    assert luhn_valid_imei(good)
    trade_in = TradeIn("TI-1", NOW, Device("imei", good[:-1] + "0"), eur(10000), "cash")
    with pytest.raises(InvalidTransaction) as refused:
        checked(trade_in, paris_shop(), NOW)
    assert refused.value.field == "device.identifier"
