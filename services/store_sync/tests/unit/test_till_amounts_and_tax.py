"""Amounts from tills become exact minor units, and the tax inside them always adds up."""

from __future__ import annotations

import pytest

from reloop_contracts.amounts import InvalidMoney, Money
from store_sync.domain.errors import InvalidAmount
from store_sync.domain.tax import split_tax
from store_sync.domain.till_amounts import parse_amount


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("459,00", "EUR", 45900),
        ("459.00", "EUR", 45900),
        ("459", "EUR", 45900),
        ("1 299,9", "EUR", 129990),
        ("0,07", "EUR", 7),
        ("5000", "JPY", 5000),
        ("12,345", "KWD", 12345),
    ],
)
def test_a_till_amount_written_with_a_comma_or_a_point_is_read_as_exact_minor_units(
    text: str, currency: str, minor: int
) -> None:
    assert parse_amount(text, currency, field="prix") == Money(minor, currency)


@pytest.mark.parametrize("text", ["459,001", "12,5", "-3,00", "abc", "", "4.5.6", "1e3"])
def test_an_amount_that_is_not_one_names_its_field(text: str) -> None:
    currency = "JPY" if text == "12,5" else "EUR"
    with pytest.raises(InvalidAmount) as refused:
        parse_amount(text, currency, field="lignes.0.prix_unitaire_ttc")
    assert refused.value.field == "lignes.0.prix_unitaire_ttc"


def test_the_vat_inside_a_vat_included_price_is_split_off_half_up() -> None:
    split = split_tax(45900, 2000)  # 459.00 EUR at 20 %: net 382.50, VAT 76.50
    assert (split.gross, split.net, split.tax) == (45900, 38250, 7650)
    odd = split_tax(799, 2000)  # 7.99 / 1.2 = 6.658... -> 6.66 net, 1.33 VAT
    assert (odd.net, odd.tax) == (666, 133)


@pytest.mark.parametrize("rate_bp", [0, 550, 1000, 1900, 2000, 2100, 2550, 8875])
def test_net_and_tax_always_add_up_to_the_gross_on_every_amount(rate_bp: int) -> None:
    for gross in range(0, 5000, 7):
        split = split_tax(gross, rate_bp)
        assert split.net + split.tax == gross
        assert split.net >= 0
        assert split.tax >= 0


def test_lines_split_one_by_one_add_up_to_the_total_split() -> None:
    lines = [split_tax(g, 2000) for g in (1990, 45900, 799, 1)]
    total = lines[0] + lines[1] + lines[2] + lines[3]
    assert total.gross == 1990 + 45900 + 799 + 1
    assert total.net + total.tax == total.gross


def test_money_is_never_a_float() -> None:
    with pytest.raises(InvalidMoney):
        Money(19.99, "EUR")  # type: ignore[arg-type]
