"""A repair centre's stock of one part: on hand, reserved for tickets, and the reorder point.

Available is on hand less reserved; a reservation never takes more than is available. When
available falls to the reorder point the stock says so once (`PartsBelowReorderPoint`), and again
only after a receipt brought it back above: one alert per crossing, not one per ticket.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reloop_shared.recording import EventRecorder
from repair.domain import events
from repair.domain.errors import InvalidDiagnosis, NotEnoughParts
from repair.domain.events import DomainEvent, PartNeed


@dataclass
class PartStock:
    centre_id: str
    part_sku: str
    on_hand: int = 0
    reserved: int = 0
    reorder_point: int = 0
    below_reorder_point: bool = False
    """The alert for the current crossing was raised."""
    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def receive(self, quantity: int, *, at: datetime) -> None:
        if quantity <= 0:
            raise InvalidDiagnosis("a receipt brings at least one part", field="quantity")
        self.on_hand += quantity
        self._watch(at)

    def set_reorder_point(self, reorder_point: int, *, at: datetime) -> None:
        if reorder_point < 0:
            raise InvalidDiagnosis("a reorder point is not negative", field="reorder_point")
        self.reorder_point = reorder_point
        self._watch(at)

    def reserve(self, quantity: int, *, at: datetime) -> None:
        if quantity > self.available:
            raise NotEnoughParts(
                f"{self.part_sku} at {self.centre_id}: {self.available} available, {quantity} needed", field="parts"
            )
        self.reserved += quantity
        self._watch(at)

    def release(self, quantity: int, *, at: datetime) -> None:
        self.reserved -= min(quantity, self.reserved)
        self._watch(at)

    def consume(self, quantity: int, *, at: datetime) -> None:
        """Fitted in a repair: it leaves the shelf and its reservation with it."""
        self.on_hand -= quantity
        self.reserved -= quantity
        self._watch(at)

    def _watch(self, at: datetime) -> None:
        if self.available > self.reorder_point:
            self.below_reorder_point = False
            return
        if not self.below_reorder_point:
            self.below_reorder_point = True
            self.recorder.record(
                events.PartsBelowReorderPoint(
                    self.part_sku, self.centre_id, self.on_hand, self.reserved, self.reorder_point, at
                )
            )


def can_reserve(stocks: Mapping[str, PartStock], needs: Sequence[PartNeed]) -> bool:
    """Whether every part of `needs` is available (a part the centre never stocked is not)."""
    return all(n.part_sku in stocks and stocks[n.part_sku].available >= n.quantity for n in merged(needs))


def reserve_all(stocks: Mapping[str, PartStock], needs: Sequence[PartNeed], *, at: datetime) -> bool:
    """Reserve every part a ticket needs, or none of them: half a set of parts repairs nothing and
    would only keep them from another ticket."""
    if not can_reserve(stocks, needs):
        return False
    for need in merged(needs):
        stocks[need.part_sku].reserve(need.quantity, at=at)
    return True


def merged(needs: Sequence[PartNeed]) -> list[PartNeed]:
    """One need per part, in part order (the order rows are locked in)."""
    quantities: dict[str, int] = {}
    for need in needs:
        quantities[need.part_sku] = quantities.get(need.part_sku, 0) + need.quantity
    return [PartNeed(sku, quantities[sku]) for sku in sorted(quantities)]
