"""Device identifiers: an IMEI must pass its Luhn check digit; a serial number is checked for shape."""

from __future__ import annotations

import re

from inventory.domain.errors import InvalidIdentifier

_SERIAL = re.compile(r"^[A-Z0-9-]{6,32}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise(kind: str, value: str) -> str:
    """The canonical form of an identifier, or InvalidIdentifier saying what is wrong."""
    if kind == "imei":
        digits = re.sub(r"[\s-]", "", value)
        if not digits.isdigit() or len(digits) != 15:
            raise InvalidIdentifier("an IMEI has 15 digits", field="identifier.value")
        if not luhn_valid(digits):
            raise InvalidIdentifier("the IMEI check digit is wrong (Luhn)", field="identifier.value")
        return digits
    if kind == "serial":
        serial = value.strip().upper()
        if not _SERIAL.match(serial):
            raise InvalidIdentifier("a serial number has 6 to 32 letters, digits or dashes", field="identifier.value")
        return serial
    raise InvalidIdentifier(f"unknown identifier kind {kind}", field="identifier.kind")
