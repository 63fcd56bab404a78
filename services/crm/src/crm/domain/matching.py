"""How CRM matches a person without naming them: normalised e-mails and phones, keyed hashes.

Equal for the same person however it was written, useless to anyone without the pepper.
"""

from __future__ import annotations

import hmac
import re


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str, default_country_code: str = "33") -> str:
    """Digits only, in international form (+33 6 12 34 56 78 and 06 12 34 56 78 are the same)."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return default_country_code + digits[1:]
    return digits


def matching_hash(pepper: bytes, kind: str, normalised: str) -> str:
    """HMAC-SHA256 of a normalised identifier: equal for the same person, useless without the pepper."""
    # The one-shot form: same digest, computed without building an HMAC object (CRM hashes a
    # couple of identifiers for every sale it reads).
    return hmac.digest(pepper, f"{kind}:{normalised}".encode(), "sha256").hex()


def email_identifier(pepper: bytes, email: str) -> str:
    return "email:" + matching_hash(pepper, "email", normalise_email(email))


def phone_identifier(pepper: bytes, phone: str) -> str:
    return "phone:" + matching_hash(pepper, "phone", normalise_phone(phone))


ERASED = "erased"


def tombstone(pepper: bytes, name: str) -> str:
    """How an erased identifier, profile or sale is remembered: a keyed hash, nothing more."""
    return matching_hash(pepper, ERASED, name)
