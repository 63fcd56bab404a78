"""Inventory's rules on plain objects: identifiers, the unit lifecycle, who wins a unit."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inventory.domain.allocation import Outcome, outcome_for
from inventory.domain.errors import InvalidIdentifier, InvalidTransition
from inventory.domain.identifiers import normalise
from inventory.domain.stock import AccessoryStock
from inventory.domain.units import Unit

NOW = datetime(2026, 11, 2, 10, tzinfo=UTC)


def _available_unit() -> Unit:
    unit = Unit.receive("U1", "IPH13-128-BLK-EX", "imei", "490154203237518", "excellent", "paris-shop", NOW)
    unit.inspect("restock", NOW)
    return unit


def test_a_valid_imei_passes_its_luhn_check_and_is_normalised() -> None:
    assert normalise("imei", "49-015420-323751-8") == "490154203237518"


@pytest.mark.parametrize("value", ["490154203237519", "49015420323751", "4901542032375AB"])
def test_an_imei_with_a_wrong_check_digit_or_shape_is_refused_naming_the_field(value: str) -> None:
    with pytest.raises(InvalidIdentifier) as refused:
        normalise("imei", value)
    assert refused.value.field == "identifier.value"


def test_a_received_unit_is_not_sellable_until_inspected() -> None:
    unit = Unit.receive("U1", "SKU", "serial", "C02XYZ123", "good", "wh-1", NOW)
    with pytest.raises(InvalidTransition):
        unit.reserve("R1", NOW)
    unit.inspect("restock", NOW)
    unit.reserve("R1", NOW)
    assert unit.status == "reserved"


def test_a_returned_unit_goes_back_to_available_only_through_inspection() -> None:
    unit = _available_unit()
    unit.sell("S1", "online", "sold", NOW)
    unit.take_back("paris-shop", "RET1", NOW)
    assert unit.status == "returned"
    with pytest.raises(InvalidTransition):
        unit.reserve("R2", NOW)
    unit.inspect("restock", NOW)
    assert unit.status == "available"


def test_a_unit_held_by_this_sale_is_simply_sold() -> None:
    unit = _available_unit()
    unit.reserve("ORDER-1", NOW)
    assert outcome_for(unit, "ORDER-1", "online", "ORDER-1") is Outcome.SELL


def test_a_shop_hand_over_wins_over_an_online_hold() -> None:
    unit = _available_unit()
    unit.reserve("ORDER-1", NOW)
    assert outcome_for(unit, "SHOP-SALE-1", "own_shop", None) is Outcome.SELL_OVER_HOLD


def test_a_shop_hand_over_wins_over_an_online_sale_but_not_over_another_hand_over() -> None:
    unit = _available_unit()
    unit.sell("ORDER-1", "online", "sold", NOW)
    assert outcome_for(unit, "SHOP-1", "partner_shop", None) is Outcome.SELL_OVER_SALE
    unit.sell("SHOP-1", "partner_shop", "handed over", NOW)
    assert outcome_for(unit, "SHOP-2", "own_shop", None) is Outcome.DOUBLE_HANDOVER


def test_an_online_sale_never_takes_a_unit_held_or_sold_elsewhere() -> None:
    unit = _available_unit()
    unit.reserve("OTHER", NOW)
    assert outcome_for(unit, "ORDER-2", "online", "ORDER-2") is Outcome.REPLACE


def test_replaying_a_sale_changes_nothing() -> None:
    unit = _available_unit()
    unit.sell("S1", "own_shop", "sold", NOW)
    assert outcome_for(unit, "S1", "own_shop", None) is Outcome.ALREADY_SOLD_HERE


def test_accessories_cannot_be_held_beyond_what_is_free() -> None:
    stock = AccessoryStock("CHG-20W", "paris-shop")
    stock.receive(3, None, NOW)
    assert stock.reserve(2, "R1", NOW)
    assert not stock.reserve(2, "R2", NOW)
    assert (stock.on_hand, stock.reserved) == (3, 2)


def test_a_shop_sale_beyond_recorded_stock_never_goes_negative_and_reports_the_shortage() -> None:
    stock = AccessoryStock("CASE-13", "paris-shop")
    stock.receive(1, None, NOW)
    assert stock.sell(3, 0, "S1", NOW) == 2
    assert stock.on_hand == 0
