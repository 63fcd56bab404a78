"""A refurbished unit: one physical device with its own identifier, grade, location and status.

Units are not fungible: the buyer gets that unit. Every move checks the lifecycle and records
a status change (received -> available -> reserved -> sold; returned -> inspected -> restocked or
sent to repair; transfers put a unit in transit between locations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inventory.domain import events
from inventory.domain.errors import InvalidTransition
from inventory.domain.origins import TradeInOrigin

SELLABLE = "available"
SHOP_CHANNELS = frozenset({"own_shop", "partner_shop"})

_ALLOWED: dict[str, frozenset[str]] = {
    "received": frozenset({"available", "in_repair", "written_off", "in_transit"}),
    "available": frozenset({"reserved", "sold", "in_transit", "written_off"}),
    "reserved": frozenset({"available", "sold"}),
    "sold": frozenset({"returned"}),
    "returned": frozenset({"available", "in_repair", "written_off", "in_transit"}),
    "in_repair": frozenset({"available", "written_off", "in_transit"}),
    "in_transit": frozenset({"received", "available", "returned", "in_repair"}),
    "written_off": frozenset({"available"}),
}


@dataclass
class Unit:
    unit_id: str
    sku: str
    identifier_kind: str
    identifier: str
    grade: str
    location_id: str
    status: str
    reservation_id: str | None = None
    sale_id: str | None = None
    sale_channel: str | None = None
    transfer_to: str | None = None
    status_before_transit: str | None = None
    origin: TradeInOrigin | None = None
    previous_unit_id: str | None = None
    """The unit this device was before it left us and came back (see domain.device_history)."""
    recorder: events.EventRecorder[events.DomainEvent] = field(
        default_factory=events.EventRecorder, repr=False, compare=False
    )

    @classmethod
    def receive(
        cls,
        unit_id: str,
        sku: str,
        identifier_kind: str,
        identifier: str,
        grade: str,
        location_id: str,
        now: datetime,
        origin: TradeInOrigin | None = None,
        previous_unit_id: str | None = None,
    ) -> Unit:
        unit = cls(
            unit_id,
            sku,
            identifier_kind,
            identifier,
            grade,
            location_id,
            "received",
            origin=origin,
            previous_unit_id=previous_unit_id,
        )
        unit.recorder.record(
            events.UnitReceived(unit_id, sku, identifier_kind, identifier, grade, location_id, now, origin)
        )
        return unit

    # --- moves --------------------------------------------------------------------------------

    def inspect(self, outcome: str, now: datetime) -> None:
        """After reception or a return: restock, send to repair/refurbishment, or write off."""
        if self.status not in {"received", "returned"}:
            raise InvalidTransition(
                f"unit {self.unit_id} is {self.status}; only received or returned units are inspected"
            )
        target = {"restock": "available", "repair": "in_repair", "refurbish": "in_repair", "write_off": "written_off"}
        self._move(target[outcome], f"inspected: {outcome}", None, now)

    def repaired(self, now: datetime) -> None:
        self._move("available", "back from repair", None, now)

    def reserve(self, reservation_id: str, now: datetime) -> None:
        self._move("reserved", "held", reservation_id, now)
        self.reservation_id = reservation_id

    def release(self, reason: str, now: datetime) -> None:
        reference = self.reservation_id
        self._move("available", reason, reference, now)
        self.reservation_id = None

    def sell(self, sale_id: str, channel: str, reason: str, now: datetime) -> None:
        """Sold. A hand-over in a shop is a fact: it is recorded from any status but sold."""
        if "sold" in _ALLOWED[self.status]:
            self._move("sold", reason, sale_id, now)
        else:
            self._force("sold", reason, sale_id, now)
        self.sale_id = sale_id
        self.sale_channel = channel
        self.reservation_id = None

    def take_back(self, location_id: str, return_id: str, now: datetime) -> None:
        if self.status != "sold":
            raise InvalidTransition(f"unit {self.unit_id} is {self.status}, not sold", field="unit_id")
        self.location_id = location_id
        self._move("returned", "returned by the customer; awaiting inspection", return_id, now)
        self.sale_id = None
        self.sale_channel = None

    def start_transfer(self, to_location: str, transfer_id: str, now: datetime) -> None:
        if self.status in {"reserved", "sold", "in_transit"}:
            raise InvalidTransition(f"unit {self.unit_id} is {self.status} and cannot be transferred", field="unit_ids")
        self.status_before_transit = self.status
        self.transfer_to = to_location
        self._move("in_transit", f"transfer to {to_location}", transfer_id, now)

    def arrive(self, transfer_id: str, now: datetime) -> None:
        if self.status != "in_transit" or self.transfer_to is None:
            raise InvalidTransition(f"unit {self.unit_id} is not in transit", field="unit_ids")
        self.location_id = self.transfer_to
        back_to = self.status_before_transit or "received"
        self.transfer_to = None
        self.status_before_transit = None
        self._move(back_to, "transfer received", transfer_id, now)

    def write_off(self, reason: str, reference: str | None, now: datetime) -> None:
        self._move("written_off", reason, reference, now)

    def found(self, location_id: str, reason: str, reference: str | None, now: datetime) -> None:
        """A stock count found the unit (written off, or recorded elsewhere): it is here and sellable."""
        self.location_id = location_id
        if self.status == "available":
            self._force("available", reason, reference, now)
        else:
            self._move("available", reason, reference, now)

    # --- internals ----------------------------------------------------------------------------

    def _move(self, status: str, reason: str, reference: str | None, now: datetime) -> None:
        if status not in _ALLOWED[self.status]:
            raise InvalidTransition(f"unit {self.unit_id} cannot go from {self.status} to {status}")
        self._force(status, reason, reference, now)

    def _force(self, status: str, reason: str, reference: str | None, now: datetime) -> None:
        previous = self.status
        self.status = status
        self.recorder.record(
            events.UnitStatusChanged(
                self.unit_id, self.sku, self.location_id, previous, status, reason, reference, self.grade, now
            )
        )
