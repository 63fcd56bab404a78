"""Units moving between locations: a transfer (or a shop's shipment to the refurbishment centre)
is in transit until its receipt."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    to_location_id: str
    unit_ids: list[str]
    status: str
    """in_transit | received"""

    @property
    def received(self) -> bool:
        return self.status == "received"
