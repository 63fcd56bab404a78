"""Devices left at a shop (returns, trade-ins, repairs): what the journal collects when a
transaction leaves one there, and what a shipment carries away."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ShippedDevice:
    unit_id: str
    kind: str  # return | trade_in | repair
    source_id: str  # the return id or drop-off id that left it at the shop
    sku: str | None = None
    identifier_kind: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class CollectedDevice:
    """A device waiting at a shop for a shipment."""

    shop_id: str
    device: ShippedDevice
    collected_at: datetime
