"""The collection hub: devices left at a shop (returns, trade-ins, repairs) wait there until a
shipment takes them to the refurbishment centre; inventory follows them in transit and received."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reloop_shared.recording import EventRecorder
from store_sync.domain import events
from store_sync.domain.collected_devices import CollectedDevice, ShippedDevice
from store_sync.domain.errors import Conflict, InvalidShipment


@dataclass
class Shipment:
    shipment_id: str
    shop_id: str
    to_location_id: str
    devices: tuple[ShippedDevice, ...]
    dispatched_at: datetime
    carrier_reference: str | None = None
    status: str = "dispatched"
    received_at: datetime | None = None
    received: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    recorder: EventRecorder[events.DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def dispatch(
        cls,
        shipment_id: str,
        shop_id: str,
        to_location_id: str,
        waiting: Sequence[CollectedDevice],
        unit_ids: Sequence[str] | None,
        carrier_reference: str | None,
        at: datetime,
    ) -> Shipment:
        """Ship `unit_ids` (every device waiting at the shop when None); each must be waiting there."""
        if to_location_id == shop_id:
            raise InvalidShipment("a shipment leaves the shop for another location", field="to_location_id")
        by_unit = {c.device.unit_id: c.device for c in waiting}
        if unit_ids is None:
            chosen = [c.device for c in waiting]
        else:
            unknown = sorted(set(unit_ids) - set(by_unit))
            if unknown:
                raise InvalidShipment(f"not waiting at {shop_id}: {', '.join(unknown)}", field="unit_ids")
            chosen = [by_unit[u] for u in dict.fromkeys(unit_ids)]
        if not chosen:
            raise InvalidShipment(f"no device is waiting at {shop_id} for a shipment", field="unit_ids")
        shipment = cls(shipment_id, shop_id, to_location_id, tuple(chosen), at, carrier_reference)
        shipment.recorder.record(
            events.ShipmentDispatched(shipment_id, shop_id, to_location_id, tuple(chosen), carrier_reference, at)
        )
        return shipment

    def receive(self, unit_ids: Sequence[str] | None, at: datetime) -> bool:
        """The parcel arrived with `unit_ids` (all of it when None). False if already received."""
        if self.status == "received":
            return False
        shipped = [d.unit_id for d in self.devices]
        arrived = set(shipped if unit_ids is None else unit_ids)
        unknown = sorted(arrived - set(shipped))
        if unknown:
            raise InvalidShipment(f"not in shipment {self.shipment_id}: {', '.join(unknown)}", field="unit_ids")
        self.received = tuple(u for u in shipped if u in arrived)
        self.missing = tuple(u for u in shipped if u not in arrived)
        self.status, self.received_at = "received", at
        self.recorder.record(
            events.ShipmentReceived(
                self.shipment_id, self.shop_id, self.to_location_id, self.received, self.missing, at
            )
        )
        return True

    def same_request(self, to_location_id: str, unit_ids: Sequence[str] | None) -> None:
        """A shipment id sent again must ask for the same shipment (a retried request)."""
        if to_location_id != self.to_location_id or (
            unit_ids is not None and set(unit_ids) != {d.unit_id for d in self.devices}
        ):
            raise Conflict(f"shipment {self.shipment_id} was already dispatched differently", field="shipment_ref")
