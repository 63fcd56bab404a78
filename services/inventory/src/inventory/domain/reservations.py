"""A hold on stock for a channel (an online checkout, a shop hold, click-and-collect), with an
expiry. Holds end by themselves when they expire; a sale consumes its hold."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from inventory.domain import events
from inventory.domain.errors import InvalidTransition


@dataclass
class HeldLine:
    line_id: str
    kind: str
    sku: str
    quantity: int
    unit_id: str | None
    location_id: str


@dataclass
class Reservation:
    reservation_id: str
    channel: str
    market: str
    status: str
    expires_at: datetime
    lines: list[HeldLine] = field(default_factory=list)
    location_id: str | None = None
    recorder: events.EventRecorder[events.DomainEvent] = field(
        default_factory=events.EventRecorder, repr=False, compare=False
    )

    @classmethod
    def confirm(
        cls,
        reservation_id: str,
        channel: str,
        market: str,
        location_id: str | None,
        lines: list[HeldLine],
        hold_seconds: int,
        now: datetime,
    ) -> Reservation:
        reservation = cls(
            reservation_id, channel, market, "active", now + timedelta(seconds=hold_seconds), lines, location_id
        )
        reservation.recorder.record(
            events.ReservationConfirmed(
                reservation_id,
                tuple(events.HeldLine(x.line_id, x.kind, x.sku, x.quantity, x.unit_id, x.location_id) for x in lines),
                reservation.expires_at,
            )
        )
        return reservation

    @property
    def active(self) -> bool:
        return self.status == "active"

    def is_expired(self, now: datetime) -> bool:
        return self.active and self.expires_at <= now

    def end(self, outcome: str, reason: str, now: datetime) -> None:
        """expired | released | consumed; ending an ended hold changes nothing."""
        if not self.active:
            return
        self.status = outcome
        self.recorder.record(events.ReservationEnded(self.reservation_id, outcome, reason, now))

    def extend(self, hold_seconds: int, now: datetime) -> None:
        if not self.active:
            raise InvalidTransition(f"reservation {self.reservation_id} is {self.status}", field="reservation_id")
        self.expires_at = max(self.expires_at, now + timedelta(seconds=hold_seconds))
        self.recorder.record(events.ReservationExtended(self.reservation_id, self.expires_at))

    def line_holding(self, unit_id: str) -> HeldLine | None:
        return next((line for line in self.lines if line.unit_id == unit_id), None)

    def reallocate(self, line: HeldLine, unit_id: str, location_id: str, reason: str) -> None:
        previous = line.unit_id or ""
        line.unit_id = unit_id
        line.location_id = location_id
        self.recorder.record(
            events.ReservationReallocated(self.reservation_id, line.line_id, previous, unit_id, location_id, reason)
        )

    def break_line(self, line: HeldLine, reason: str) -> None:
        unit_id = line.unit_id or ""
        self.lines.remove(line)
        self.recorder.record(events.ReservationBroken(self.reservation_id, line.line_id, unit_id, reason))
