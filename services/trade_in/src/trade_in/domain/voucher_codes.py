"""Voucher codes: unguessable, easy to read aloud, and never stored in clear.

A code is 16 characters of a 32-letter alphabet without the look-alikes 0/O and 1/I: 80 bits
from `secrets`, shown in four groups of four after a prefix, e.g. `TRD-7KQ2-M9WD-4HTZ-R8CE`.
Only its SHA-256 and its last four characters (the hint a customer recognises) are kept. An
unkeyed hash is enough: with 80 bits of entropy nobody can try every code against a leaked table,
as they could with a short PIN.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PREFIX = "TRD"
GROUPS = 4
GROUP_SIZE = 4
LENGTH = GROUPS * GROUP_SIZE
"""16 characters of 5 bits each: 80 bits of entropy."""


def new_code() -> str:
    """A fresh code, grouped for reading: `TRD-7KQ2-...`."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    groups = [body[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE)]
    return "-".join([PREFIX, *groups])


def normalised(code: str) -> str:
    """The code as it is hashed: upper case, without dashes or spaces, without its prefix, so
    `trd 7kq2-...` typed at a till finds the same voucher as the printed `TRD-7KQ2-...`."""
    compact = "".join(code.split()).replace("-", "").upper()
    if len(compact) == len(PREFIX) + LENGTH and compact.startswith(PREFIX):
        return compact[len(PREFIX) :]
    return compact


def code_hash(code: str) -> str:
    """What is stored and looked up: the SHA-256 of the normalised code, in hex."""
    return hashlib.sha256(normalised(code).encode()).hexdigest()


def code_hint(code: str) -> str:
    """The last four characters, enough for a customer to tell two vouchers apart."""
    return normalised(code)[-4:]
