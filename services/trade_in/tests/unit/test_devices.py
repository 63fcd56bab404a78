"""Device identity: IMEIs (15 digits, Luhn, TAC) and serial numbers."""

from __future__ import annotations

import pytest

from reloop_localstack.testing import luhn_imei
from trade_in.domain.devices import identify, luhn_valid
from trade_in.domain.errors import InvalidDevice


def test_a_valid_imei_is_kept_as_its_15_digits_and_its_tac_is_the_first_8() -> None:
    identifier = identify("imei", "35-209900-176148-1")
    assert (identifier.kind, identifier.value, identifier.tac) == ("imei", "352099001761481", "35209900")


def test_an_imei_with_a_wrong_check_digit_is_refused_naming_the_identifier() -> None:
    good = luhn_imei(4242)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(InvalidDevice, match="check digit") as refused:
        identify("imei", wrong)
    assert refused.value.field == "identifier"


@pytest.mark.parametrize("value", ["12345678901234", "1234567890123456", "35209900176148A"])
def test_an_imei_is_exactly_15_digits(value: str) -> None:
    with pytest.raises(InvalidDevice, match="15 digits"):
        identify("imei", value)


def test_the_luhn_check_accepts_what_the_test_helper_makes_and_nothing_off_by_one() -> None:
    assert all(luhn_valid(luhn_imei(n)) for n in range(50))
    assert not luhn_valid("352099001761482")


def test_a_serial_is_normalised_to_upper_case_and_has_no_tac() -> None:
    identifier = identify("serial", " c02xk1abjg5h ")
    assert (identifier.value, identifier.tac) == ("C02XK1ABJG5H", None)


def test_a_serial_with_characters_no_maker_uses_is_refused() -> None:
    with pytest.raises(InvalidDevice):
        identify("serial", "ab/12;drop")


def test_an_unknown_kind_of_identifier_is_refused() -> None:
    with pytest.raises(InvalidDevice) as refused:
        identify("meid", "A0000012345678")
    assert refused.value.field == "identifier.kind"
