"""Device identity: an IMEI with its Luhn check digit, or a serial number."""

from __future__ import annotations

import pytest

from repair.domain.devices import DeviceIdentifier, identify
from repair.domain.errors import InvalidDevice


def test_an_imei_is_normalised_and_its_check_digit_verified() -> None:
    assert identify("imei", "35 209900 176148-1") == DeviceIdentifier("imei", "352099001761481")
    with pytest.raises(InvalidDevice, match="check digit"):
        identify("imei", "352099001761482")


def test_an_imei_is_fifteen_digits_and_a_serial_letters_and_digits() -> None:
    with pytest.raises(InvalidDevice, match="15 digits"):
        identify("imei", "35209900176148")
    assert identify("serial", " c02xk1abjg5h ") == DeviceIdentifier("serial", "C02XK1ABJG5H")
    with pytest.raises(InvalidDevice) as refused:
        identify("serial", "no!")
    assert refused.value.field == "identifier"
