"""Quantity stock of a fungible item (chargers, cases, screen protectors) at one location."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from inventory.domain import events
from inventory.domain.errors import InvalidTransition


@dataclass
class AccessoryStock:
    sku: str
    location_id: str
    on_hand: int = 0
    reserved: int = 0
    recorder: events.EventRecorder[events.DomainEvent] = field(
        default_factory=events.EventRecorder, repr=False, compare=False
    )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def receive(self, quantity: int, reference: str | None, now: datetime) -> None:
        if quantity <= 0:
            raise InvalidTransition("a receipt brings at least one item", field="quantity")
        self._change(quantity, 0, "received", reference, now)

    def reserve(self, quantity: int, reference: str, now: datetime) -> bool:
        """Hold `quantity`; False (and nothing held) when that many are not free."""
        if quantity > self.available:
            return False
        self._change(0, quantity, "reserved", reference, now)
        return True

    def release(self, quantity: int, reference: str, now: datetime) -> None:
        self._change(0, -min(quantity, self.reserved), "released", reference, now)

    def sell(self, quantity: int, held: int, reference: str, now: datetime) -> int:
        """Take `quantity` out of stock, `held` of them from a hold; returns how many were missing.

        Stock never goes below zero: a shortage means the count was wrong, and is reported.
        """
        from_hold = min(held, self.reserved, quantity)
        shortage = max(0, quantity - from_hold - max(0, self.available))
        self._change(-(quantity - shortage), -from_hold, "sold", reference, now)
        return shortage

    def take_back(self, quantity: int, reference: str, now: datetime) -> None:
        self._change(quantity, 0, "returned", reference, now)

    def count(self, counted: int, reason: str, reference: str | None, now: datetime) -> None:
        if counted < 0:
            raise InvalidTransition("a count cannot be negative", field="accessories")
        if counted != self.on_hand:
            self._change(counted - self.on_hand, 0, f"stock count: {reason}", reference, now)

    def _change(
        self, on_hand_delta: int, reserved_delta: int, reason: str, reference: str | None, now: datetime
    ) -> None:
        self.on_hand += on_hand_delta
        self.reserved = max(0, min(self.on_hand, self.reserved + reserved_delta))
        self.recorder.record(
            events.AccessoryStockChanged(
                self.sku, self.location_id, self.on_hand, self.reserved, on_hand_delta, reason, reference, now
            )
        )
