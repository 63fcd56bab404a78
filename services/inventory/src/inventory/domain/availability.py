"""Availability: what can be sold now of a SKU, per location. Published after every change, once
per SKU per transaction, from counts taken under the SKU's lock, so it is never stale."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from inventory.domain import events


def touched(event: events.DomainEvent) -> tuple[str, datetime] | None:
    """The SKU whose sellable stock `event` may have changed, and when, if any."""
    if isinstance(event, events.UnitStatusChanged | events.AccessoryStockChanged):
        return event.sku, event.at
    return None


def availability_changed(
    sku: str, kind: str, counts: Sequence[events.LocationAvailable], at: datetime
) -> events.AvailabilityChanged:
    return events.AvailabilityChanged(sku, kind, sum(c.available for c in counts), tuple(counts), at)
