"""Who a device is: an IMEI (15 digits, Luhn check digit) or, for devices without a modem, the
maker's serial number; and what it is (category, model)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from repair.domain.errors import InvalidDevice

IdentifierKind = Literal["imei", "serial"]
Category = Literal["smartphone", "tablet", "console", "camera", "laptop", "other"]
_SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,63}$")


@dataclass(frozen=True)
class DeviceIdentifier:
    kind: IdentifierKind
    value: str


@dataclass(frozen=True)
class Device:
    identifier: DeviceIdentifier
    category: Category
    model: str
    """The catalog's product id, or the model as the customer or the shop told it."""


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def identify(kind: str, value: str) -> DeviceIdentifier:
    """The identifier `value` as `kind`, normalised (spaces dropped, upper case; an IMEI's dashes
    too), or `InvalidDevice` naming `identifier`."""
    text = re.sub(r"\s", "", value).upper()
    if kind == "imei":
        digits = text.replace("-", "")
        if not (len(digits) == 15 and digits.isascii() and digits.isdigit()):
            raise InvalidDevice("an IMEI is 15 digits", field="identifier")
        if not luhn_valid(digits):
            raise InvalidDevice("the IMEI's check digit is wrong", field="identifier")
        return DeviceIdentifier("imei", digits)
    if kind == "serial":
        if not _SERIAL.match(text):
            raise InvalidDevice("a serial number is 4 to 64 letters, digits or dashes", field="identifier")
        return DeviceIdentifier("serial", text)
    raise InvalidDevice(f"'{kind}' is neither imei nor serial", field="identifier.kind")
