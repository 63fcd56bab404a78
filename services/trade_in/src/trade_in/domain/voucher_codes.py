"""Voucher codes: unguessable, easy to read aloud, and never stored in clear.

A code is 16 characters of a 32-letter alphabet without the look-alikes 0/O and 1/I: 80 bits
from `secrets`, shown in four groups of four after a prefix, e.g. `TRD-7KQ2-M9WD-4HTZ-R8CE`.
Only its SHA-256 and its last four characters (the hint a customer recognises) are kept. An
unkeyed hash is enough: with 80 bits of entropy nobody can try every code against a leaked table,
as they could with a short PIN.
"""

from __future__ import annotations

import secrets

from reloop_contracts.voucher_codes import LENGTH, PREFIX, normalised_voucher_code, voucher_code_hash

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS = 4
GROUP_SIZE = 4
assert LENGTH == GROUPS * GROUP_SIZE


def new_code() -> str:
    """A fresh code, grouped for reading: `TRD-7KQ2-...`."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    groups = [body[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE)]
    return "-".join([PREFIX, *groups])


def normalised(code: str) -> str:
    """The code as it is hashed (the contracts' rule, which every producer of its hash follows)."""
    return normalised_voucher_code(code)


def code_hash(code: str) -> str:
    """What is stored, looked up and sent on the bus: the SHA-256 of the normalised code, in hex."""
    return voucher_code_hash(code)


def code_hint(code: str) -> str:
    """The last four characters, enough for a customer to tell two vouchers apart."""
    return normalised(code)[-4:]
