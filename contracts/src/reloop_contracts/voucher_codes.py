"""How a store-credit voucher's code is named on the bus: by its SHA-256, never in clear.

A code is printed as `TRD-7KQ2-M9WD-4HTZ-R8CE` (16 characters of a 32-letter alphabet, 80 bits
from a secure source, after a prefix). Tills and checkouts type it in any case and spacing, so
every producer normalises it the same way before hashing: upper case, without dashes or spaces,
without the prefix. An unkeyed hash is enough: with 80 bits of entropy nobody can try every code
against a leaked topic, as they could with a short PIN.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from pydantic import Field

PREFIX = "TRD"
LENGTH = 16
"""Characters after the prefix: 16 of 5 bits each, 80 bits of entropy."""

CodeHash = Annotated[
    str,
    Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 (hex) of the normalised code; see voucher_code_hash."),
]


def normalised_voucher_code(code: str) -> str:
    """The code as it is hashed: `trd 7kq2-...` typed at a till is the printed `TRD-7KQ2-...`."""
    compact = "".join(code.split()).replace("-", "").upper()
    if len(compact) == len(PREFIX) + LENGTH and compact.startswith(PREFIX):
        return compact[len(PREFIX) :]
    return compact


def voucher_code_hash(code: str) -> str:
    """What travels and what trade-in looks a voucher up by: the SHA-256 of the normalised code."""
    return hashlib.sha256(normalised_voucher_code(code).encode()).hexdigest()
