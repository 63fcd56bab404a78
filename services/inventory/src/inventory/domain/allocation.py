"""How a sale line meets the unit it names: the rule that one unit is never sold twice, and that
a hand-over in a shop, which cannot be undone, wins over any online claim on the unit."""

from __future__ import annotations

from enum import Enum

from inventory.domain.units import SHOP_CHANNELS, Unit


class Outcome(Enum):
    SELL = "sell"
    """The unit is free for this sale (available, or held by this sale's own hold)."""
    ALREADY_SOLD_HERE = "already_sold_here"
    """A replay of this very sale: nothing to do."""
    SELL_OVER_HOLD = "sell_over_hold"
    """Shop hand-over of a unit another channel holds: sell; the hold gets another unit or breaks."""
    SELL_OVER_SALE = "sell_over_sale"
    """Shop hand-over of a unit an online sale already claimed: sell; that sale gets another unit."""
    SELL_UNEXPECTED = "sell_unexpected"
    """Shop hand-over of a unit inventory did not think sellable (in transit, returned...): the
    fact is recorded and flagged for attention."""
    DOUBLE_HANDOVER = "double_handover"
    """Two shops report handing over the same unit: one of them scanned the wrong unit. The first
    stands; the second is flagged for attention, nothing moves."""
    REPLACE = "replace"
    """An online sale cannot have this unit: serve the line with an equivalent unit, if any."""


def outcome_for(unit: Unit, sale_id: str, channel: str, reservation_id: str | None) -> Outcome:
    if unit.status == "sold" and unit.sale_id == sale_id:
        return Outcome.ALREADY_SOLD_HERE
    if unit.status == "available":
        return Outcome.SELL
    if unit.status == "reserved" and reservation_id is not None and unit.reservation_id == reservation_id:
        return Outcome.SELL
    if channel not in SHOP_CHANNELS:
        return Outcome.REPLACE
    if unit.status == "reserved":
        return Outcome.SELL_OVER_HOLD
    if unit.status == "sold":
        return Outcome.DOUBLE_HANDOVER if unit.sale_channel in SHOP_CHANNELS else Outcome.SELL_OVER_SALE
    return Outcome.SELL_UNEXPECTED
