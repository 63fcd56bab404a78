"""Re-engagement segments: who a marketing tool may approach again, and on what occasion.

Only customers whose current marketing consent is granted, with a contact reloop may use, enter a
segment; each occasion (a device line, a return, a first shop sale) enters it once.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

WARRANTY_MONTHS = 12
"""Refurbished devices carry a 12-month warranty from the sale date."""

WARRANTY_NOTICE = timedelta(days=30)
"""A device enters `warranty_ending` when its warranty ends within this much time."""

REPURCHASE_WINDOW = timedelta(days=14)
"""A return with no purchase by the same customer within this long enters `return_without_repurchase`."""

LOOKBACK = timedelta(days=30)
"""Occasions older than this (beyond their own delay) are history, not a reason to write today."""

FIRST_SHOP_PURCHASE = "first_shop_purchase_without_account"
WARRANTY_ENDING = "warranty_ending"
RETURN_WITHOUT_REPURCHASE = "return_without_repurchase"
SEGMENTS = (FIRST_SHOP_PURCHASE, WARRANTY_ENDING, RETURN_WITHOUT_REPURCHASE)

CONTACT_FIELDS = ("email", "phone", "name")
"""What a marketing tool gets (sealed): enough to reach the customer, nothing more."""


def entry_id(segment: str, occasion: str) -> str:
    """Stable per segment and occasion, so an occasion enters a segment once, even across replays."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"crm-segment:{segment}:{occasion}"))
