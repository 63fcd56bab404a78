"""Idempotency: a till's own transaction id names one transaction of one shop, forever.

Every canonical id is derived from (shop id, client transaction id), so sending a transaction
twice, or replaying it from quarantine, can only ever produce the same sale id, return id or
drop-off id, and never a second event.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any

from store_sync.domain.errors import InvalidTransaction

_NAMESPACE = uuid.UUID("6f1c7a52-3c1e-4b7e-9a43-0f9d5c2b8e11")
CLIENT_TXN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,99}$")

PREFIXES = {
    "sale": "sale",
    "return": "ret",
    "trade_in": "ti",
    "repair": "rep",
    "stock_count": "cnt",
    "day_close": "close",
    "unit": "U",
    "subject": "subj",
    "shipment": "shp",
    "voucher_hold": "vh",
}


def check_client_txn_id(value: str, *, field: str = "client_txn_id") -> str:
    if not CLIENT_TXN_ID.match(value):
        raise InvalidTransaction(
            "a transaction id is 1-100 letters, digits or . _ : / # -, starting with a letter or digit", field=field
        )
    return value


def derived_id(purpose: str, shop_id: str, client_txn_id: str) -> str:
    """The id of `purpose` (a sale, a return, the unit of a trade-in, a data subject...) for one
    transaction of one shop: the same inputs always give the same id, different ones never meet."""
    return f"{PREFIXES[purpose]}-{uuid.uuid5(_NAMESPACE, f'{purpose}|{shop_id}|{client_txn_id}').hex}"


def fingerprint(value: Any) -> str:
    """A digest of what a transaction says, to tell a resend (same) from a reused id (different).

    Contact details are left out: they are never stored, and a digest of them would be a way to
    test guesses of someone's e-mail."""
    return hashlib.sha256(json.dumps(_plain(value), sort_keys=True, default=str).encode()).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-able data of a transaction, without contact details (no deep copies: it runs for
    every transaction of every upload)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    names = _NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _NAMES[kind] = tuple(f.name for f in fields(value) if f.name != "contact")
    if names is not None:
        # Unset optional fields are left out, so adding one later keeps every digest on record.
        return {name: _plain(v) for name in names if (v := getattr(value, name)) is not None}
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items() if k != "contact"}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


_SCALARS = {str, int, float, bool, type(None)}
_NAMES: dict[type, tuple[str, ...]] = {}
