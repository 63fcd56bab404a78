"""Public tracking codes: unguessable, easy to read aloud, and never stored in clear.

16 characters of a 32-letter alphabet without the look-alikes 0/O and 1/I: 80 bits from
`secrets`, e.g. `RPR-7KQ2-M9WD-4HTZ-R8CE`, shown once in the answer that opened the ticket. Only
the SHA-256 of the normalised code is kept: with 80 bits nobody can try every code against a
leaked table, so an unkeyed hash is enough (as for trade-in's vouchers).
"""

from __future__ import annotations

import hashlib
import re
import secrets

PREFIX = "RPR"
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LENGTH = 16
GROUP_SIZE = 4


def new_tracking_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join([PREFIX, *(body[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE))])


def normalised(code: str) -> str:
    """Upper case, without spaces, dashes or the prefix: how a customer may type it back."""
    text = re.sub(r"[\s-]", "", code).upper()
    return text[len(PREFIX) :] if text.startswith(PREFIX) and len(text) == LENGTH + len(PREFIX) else text


def tracking_code_hash(code: str) -> str:
    return hashlib.sha256(normalised(code).encode()).hexdigest()
