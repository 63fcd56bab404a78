"""One physical device can be several units over time: sold, then bought back in a trade-in (or
received again), it comes back as a new unit that remembers the one it was. At most one of them is
still ours; a unit that left us for good no longer holds its identifier, and it cannot come back
once the device has come back as another unit. Decided on the device's units loaded beforehand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from inventory.domain.errors import Conflict
from inventory.domain.units import Unit

GONE = frozenset({"sold", "written_off"})
"""A unit in these statuses has left us (sold and not returned, written off): whatever else it may
still become, its identifier is free for the device to enter again as a new unit. Migration 0004's
partial unique index names the same statuses."""


class IdentifierInStock(Conflict):
    """The device is still ours as another unit: one device is one unit in stock at a time."""


class DeviceBackAsAnotherUnit(Conflict):
    """A unit that left us cannot come back (a return, found at a count): its device came back
    already as a later unit, and that unit is the device now."""


def is_ours(unit: Unit) -> bool:
    return unit.status not in GONE


@dataclass(frozen=True)
class DeviceHistory:
    """Every unit that ever carried one identifier, as loaded (and locked) by the handler."""

    identifier: str
    units: Sequence[Unit]

    def ours(self) -> Unit | None:
        """The unit the device is in stock as, if it is still ours."""
        return next((u for u in self.units if is_ours(u)), None)

    def latest(self) -> Unit | None:
        """The last unit the device was: each re-entry names the one before, so it is the unit no
        other names (the highest id if data older than that chain left several)."""
        named = {u.previous_unit_id for u in self.units}
        last = [u for u in self.units if u.unit_id not in named]
        return max(last, key=lambda u: u.unit_id, default=None)

    def after(self, unit: Unit) -> Unit | None:
        """The unit the device became after `unit`, or a unit of it still ours other than `unit`."""
        later = next((u for u in self.units if u.previous_unit_id == unit.unit_id), None)
        if later is not None:
            return later
        live = self.ours()
        return live if live is not None and live.unit_id != unit.unit_id else None


def previous_unit_on_entry(history: DeviceHistory, identifier_kind: str) -> str | None:
    """The unit the device was when it left us last, for the new unit it enters as (None for a
    device new to us); IdentifierInStock when the device is still ours."""
    live = history.ours()
    if live is not None:
        raise IdentifierInStock(
            f"{identifier_kind} {history.identifier} is in stock already as unit {live.unit_id} ({live.status})",
            field="identifier.value",
        )
    latest = history.latest()
    return latest.unit_id if latest is not None else None


def check_can_come_back(unit: Unit, history: DeviceHistory, *, field: str) -> None:
    """A unit that left us comes back only while it is its device's last unit: a device bought back
    in a trade-in is in our hands, so the earlier sale's customer cannot return it too."""
    later = history.after(unit)
    if later is not None:
        came_back = f" in trade-in {later.origin.trade_in_id}" if later.origin is not None else ""
        raise DeviceBackAsAnotherUnit(
            f"unit {unit.unit_id}'s device ({unit.identifier_kind} {unit.identifier}) came back{came_back} as unit "
            f"{later.unit_id} ({later.status}); unit {unit.unit_id} cannot come back too",
            field=field,
        )
