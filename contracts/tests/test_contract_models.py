"""Money, timestamps and the unknown-field policy every contract follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from reloop_contracts import Event, Money, parse_lenient
from reloop_contracts.base import UtcDatetime


class PriceNoted(Event):
    sku: str
    price: Money
    noted_at: UtcDatetime


def test_money_is_integer_minor_units_and_refuses_floats() -> None:
    assert Money(amount_minor=1999, currency="EUR").amount_minor == 1999
    with pytest.raises(ValidationError):
        Money.model_validate({"amount_minor": 19.99, "currency": "EUR"})


def test_money_refuses_a_currency_that_is_not_iso_4217() -> None:
    with pytest.raises(ValidationError, match="ISO 4217"):
        Money(amount_minor=100, currency="EUX")


def test_money_of_different_currencies_cannot_be_added() -> None:
    with pytest.raises(ValueError, match="EUR with USD"):
        _ = Money(amount_minor=1, currency="EUR") + Money(amount_minor=1, currency="USD")


def test_money_prints_with_the_currency_minor_unit() -> None:
    assert str(Money(amount_minor=69900, currency="EUR")) == "699.00 EUR"
    assert str(Money(amount_minor=5000, currency="JPY")) == "5000 JPY"


def test_timestamps_must_carry_a_timezone_and_are_normalised_to_utc() -> None:
    paris = timezone(timedelta(hours=1))
    noted = PriceNoted(
        sku="S", price=Money(amount_minor=1, currency="EUR"), noted_at=datetime(2026, 1, 1, 12, tzinfo=paris)
    )
    assert noted.noted_at == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert noted.noted_at.tzinfo == UTC
    with pytest.raises(ValidationError):
        PriceNoted(sku="S", price=Money(amount_minor=1, currency="EUR"), noted_at=datetime(2026, 1, 1, 12))


def test_a_producer_cannot_send_a_field_the_contract_does_not_know_even_in_nested_models() -> None:
    with pytest.raises(ValidationError) as raised:
        PriceNoted.model_validate(
            {
                "sku": "S",
                "price": {"amount_minor": 1, "currency": "EUR", "tax_included": True},
                "noted_at": "2026-01-01T00:00:00Z",
                "x": 1,
            }
        )
    assert sorted((e["loc"], e["type"]) for e in raised.value.errors()) == [
        (("price", "tax_included"), "extra_forbidden"),
        (("x",), "extra_forbidden"),
    ]


def test_a_published_schema_leaves_objects_open_for_fields_added_within_a_version() -> None:
    schema = PriceNoted.model_json_schema()
    assert "additionalProperties" not in schema
    assert all("additionalProperties" not in part for part in schema.get("$defs", {}).values())


def test_a_consumer_ignores_fields_added_by_a_newer_producer_even_in_nested_models() -> None:
    noted = parse_lenient(
        PriceNoted,
        {
            "sku": "S",
            "price": {"amount_minor": 1, "currency": "EUR", "tax_included": True},
            "noted_at": "2026-01-01T00:00:00Z",
            "channel": "new",
        },
    )
    assert noted.price.amount_minor == 1


def test_an_event_type_defaults_to_its_class_name() -> None:
    assert PriceNoted.EVENT_TYPE == "PriceNoted"
    assert PriceNoted.schema_id() == "PriceNoted.v1"
