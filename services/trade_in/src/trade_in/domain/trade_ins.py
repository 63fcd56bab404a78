"""The trade-in: one device bought back, from its quote to payout (or its way back).

Its state machine is the business's promise to the customer: every move is checked against the
current state (anything else is a `InvalidTransition` naming that state) and written into the
trade-in's history with who made it and when. Decisions take the instant and everything loaded
beforehand (deny-list hits, the grid's price); the aggregate records the events they raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from reloop_contracts.amounts import Money
from reloop_shared.recording import EventRecorder
from trade_in.domain import events
from trade_in.domain.counter_offers import CounterOfferPolicy
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.errors import (
    AlreadyReady,
    AnswerWindowClosed,
    DeviceAlreadyOpen,
    InvalidTransition,
    QuoteExpired,
)
from trade_in.domain.events import Channel, Condition, Device, DomainEvent, HoldReason, PayoutMethod
from trade_in.domain.grades import Grade, is_worse
from trade_in.domain.inspection import Verdict
from trade_in.domain.pricing import with_bonus

Status = Literal[
    "quoted",
    "accepted",
    "in_transit",
    "received",
    "on_hold",
    "inspected",
    "counter_offered",
    "paid",
    "returning",
    "returned",
    "expired",
    "cancelled",
    "settled_at_shop",
]
OPEN: frozenset[Status] = frozenset(
    {"quoted", "accepted", "in_transit", "received", "on_hold", "inspected", "counter_offered", "returning"}
)
"""States in which the device is still the customer's business with us: one device, one open trade-in."""
SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    from_status: Status | None
    to_status: Status
    by: str
    at: datetime
    note: str = ""


@dataclass
class TradeIn:
    trade_in_id: str
    market: str
    customer_id: str | None
    channel: Channel
    shop_id: str | None
    device: Device
    declared: Condition | None
    """None for a shop drop-off: the shop graded it, nobody declared anything to us."""
    offered: Money
    voucher_bonus_bps: int
    quoted_at: datetime
    expires_at: datetime | None
    status: Status
    history: list[Transition] = field(default_factory=list)
    deny_listed_at_quote: bool = False
    payout_method: PayoutMethod | None = None
    shipment_reference: str | None = None
    location_id: str | None = None
    hold_reason: HoldReason | None = None
    hold_detail: str | None = None
    held_from: Status | None = None
    grade: Grade | None = None
    findings: tuple[str, ...] = ()
    counter_offer: Money | None = None
    answer_by: datetime | None = None
    paid: Money | None = None
    voucher_id: str | None = None
    payout_reference: str | None = None
    drop_off_id: str | None = None
    shop_grade: Grade | None = None
    unit_id: str | None = None
    sku: str | None = None
    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    # --- how a trade-in begins ----------------------------------------------------------------

    @classmethod
    def quote(
        cls,
        trade_in_id: str,
        *,
        market: str,
        customer_id: str | None,
        channel: Channel,
        shop_id: str | None,
        device: Device,
        declared: Condition,
        offered: Money,
        voucher_bonus_bps: int,
        expires_at: datetime,
        deny_listed: bool,
        by: str,
        at: datetime,
    ) -> TradeIn:
        """A quote; a deny-listed IMEI does not stop it (the soft check) but is kept on it, so the
        customer is told now and the hard check at receipt is no surprise."""
        trade_in = cls(
            trade_in_id,
            market,
            customer_id,
            channel,
            shop_id,
            device,
            declared,
            offered,
            voucher_bonus_bps,
            at,
            expires_at,
            "quoted",
            [Transition(None, "quoted", by, at)],
            deny_listed_at_quote=deny_listed,
        )
        trade_in.recorder.record(
            events.TradeInQuoted(
                trade_in_id,
                market,
                customer_id,
                channel,
                shop_id,
                device,
                declared,
                offered,
                voucher_bonus_bps,
                expires_at,
                at,
            )
        )
        return trade_in

    @classmethod
    def settled_at_shop(
        cls,
        trade_in_id: str,
        *,
        drop_off_id: str,
        shop_id: str,
        channel: Channel,
        market: str,
        customer_id: str | None,
        device: Device,
        shop_grade: Grade | None,
        paid: Money,
        payout_method: str,
        at: datetime,
    ) -> TradeIn:
        """A device a shop bought on the spot: inspected and paid there, so nothing is left to
        decide for the customer; the centre only checks the shop's grading later."""
        trade_in = cls(
            trade_in_id,
            market,
            customer_id,
            channel,
            shop_id,
            device,
            None,
            paid,
            0,
            at,
            None,
            "settled_at_shop",
            [Transition(None, "settled_at_shop", f"shop:{shop_id}", at)],
            paid=paid,
            drop_off_id=drop_off_id,
            shop_grade=shop_grade,
        )
        trade_in.recorder.record(events.ShopTradeInRecorded(trade_in_id, drop_off_id, shop_id, paid, payout_method, at))
        return trade_in

    # --- the customer's side ------------------------------------------------------------------

    def accept(self, payout_method: PayoutMethod, shipment_reference: str | None, *, by: str, at: datetime) -> None:
        self._require("accept", "quoted")
        if self.expires_at is not None and at >= self.expires_at:
            raise QuoteExpired(f"the quote expired at {self.expires_at.isoformat()}", field="trade_in_id")
        self.payout_method = payout_method
        self._move("accepted", by, at)
        self.recorder.record(events.TradeInAccepted(self.trade_in_id, payout_method, shipment_reference, at))
        if shipment_reference is not None:
            self.ship(shipment_reference, by=by, at=at)

    def ship(self, shipment_reference: str, *, by: str, at: datetime) -> None:
        self._require("record a shipment of", "accepted")
        self.shipment_reference = shipment_reference
        self._move("in_transit", by, at, f"shipment {shipment_reference}")
        self.recorder.record(events.TradeInShipped(self.trade_in_id, shipment_reference, None, None, at))

    def collect_at_shop(
        self,
        shop_id: str,
        drop_off_id: str,
        identifier: DeviceIdentifier,
        payout_method: PayoutMethod,
        *,
        open_elsewhere: str | None,
        at: datetime,
    ) -> None:
        """The customer brought the device to a shop instead of mailing it: the shop only collects
        it for the centre (it pays nothing), so the trade-in is on its way as a parcel would be,
        and the centre receives, inspects and pays as for a mailed device. A quote not accepted yet
        is accepted by the hand-over (before it expires), paid as asked at the counter
        (`payout_method`). The identifier read at the shop is kept when the quote had none; when it
        had one, the receipt compares it with the device that arrives. The same drop-off again
        changes nothing."""
        if self.drop_off_id == drop_off_id:
            return
        self._require("collect at a shop", "quoted", "accepted")
        if self.device.identifier is None:
            ensure_not_open_elsewhere(identifier, open_elsewhere, self.trade_in_id)
            self.device = replace(self.device, identifier=identifier)
        self.drop_off_id = drop_off_id
        by = f"shop:{shop_id}"
        if self.status == "quoted":
            self.accept(payout_method, None, by=by, at=at)
        self.shipment_reference = f"drop-off {drop_off_id} at shop {shop_id}"
        self._move("in_transit", by, at, f"collected at shop {shop_id} (drop-off {drop_off_id})")
        self.recorder.record(events.TradeInShipped(self.trade_in_id, None, shop_id, drop_off_id, at))

    def cancel(self, *, by: str, at: datetime) -> None:
        self._require("cancel", "quoted", "accepted", "in_transit")
        self._move("cancelled", by, at)
        self.recorder.record(events.TradeInCancelled(self.trade_in_id, by, at))

    def expire(self, *, at: datetime) -> None:
        self._require("expire", "quoted", "accepted")
        if self.expires_at is None or at < self.expires_at:
            raise InvalidTransition("the quote has not expired yet", field="expires_at")
        self._move("expired", SYSTEM, at)
        self.recorder.record(events.TradeInExpired(self.trade_in_id, at))

    # --- at the refurbishment centre ----------------------------------------------------------

    def receive(
        self,
        location_id: str,
        identifier: DeviceIdentifier,
        *,
        activation_locked: bool,
        deny_listed: str | None,
        by: str,
        at: datetime,
    ) -> None:
        """The device arrived. The hard checks run here: a deny-list hit, an activation lock or a
        device that is not the one quoted put it on hold with the reason, never rejected outright."""
        self._require("receive", "accepted", "in_transit")
        quoted_as = self.device.identifier
        self.device = replace(self.device, identifier=identifier)
        self.location_id = location_id
        self._move("received", by, at, f"at {location_id}")
        self.recorder.record(events.DeviceReceived(self.trade_in_id, location_id, identifier, at))
        if deny_listed is not None:
            self.hold("deny_listed", deny_listed, by=by, at=at)
        elif activation_locked:
            self.hold("activation_lock", "the device is still locked to its owner's account", by=by, at=at)
        elif quoted_as is not None and quoted_as != identifier:
            self.hold("identity_mismatch", f"quoted for {quoted_as.kind} {quoted_as.value}", by=by, at=at)

    def hold(self, reason: HoldReason, detail: str, *, by: str, at: datetime) -> None:
        self._require("put on hold", "received", "inspected")
        self.held_from = self.status
        self.hold_reason = reason
        self.hold_detail = detail
        self._move("on_hold", by, at, reason)
        self.recorder.record(events.TradeInOnHold(self.trade_in_id, reason, detail, at))

    def release(self, *, by: str, at: datetime) -> None:
        """Staff cleared the hold (the owner removed the lock, the deny-list entry was wrong): the
        trade-in goes on from where it stopped."""
        self._require("release", "on_hold")
        back_to = self.held_from or "received"
        self.hold_reason = self.hold_detail = self.held_from = None
        self._move(back_to, by, at, "hold released")
        self.recorder.record(events.TradeInReleased(self.trade_in_id, by, at))

    def ensure_inspectable(self) -> None:
        self._require("inspect", "received")

    def inspect(self, verdict: Verdict, policy: CounterOfferPolicy, *, by: str, at: datetime) -> None:
        self.ensure_inspectable()
        self.grade = verdict.grade
        self.findings = verdict.findings
        self.recorder.record(
            events.DeviceInspected(
                self.trade_in_id, verdict.grade, verdict.findings, by, verdict.worse_than_declared, at
            )
        )
        if verdict.counter_offer is None:
            self._move("inspected", by, at, verdict.grade)
            return
        self.counter_offer = verdict.counter_offer
        self.answer_by = policy.answer_by(at)
        self._move("counter_offered", by, at, str(verdict.counter_offer))
        self.recorder.record(
            events.CounterOfferMade(self.trade_in_id, verdict.counter_offer, verdict.findings, self.answer_by, at)
        )

    def answer_counter_offer(self, accepted: bool, *, by: str, at: datetime, by_default: bool = False) -> None:
        self._require("answer a counter-offer of", "counter_offered")
        assert self.counter_offer is not None
        assert self.answer_by is not None
        if not by_default and at > self.answer_by:
            raise AnswerWindowClosed(
                f"the counter-offer could be answered until {self.answer_by.isoformat()}", field="accepted"
            )
        self.recorder.record(events.CounterOfferAnswered(self.trade_in_id, accepted, by_default, at))
        if accepted:
            self.offered = self.counter_offer
            self._move("inspected", by, at, "counter-offer accepted")
        else:
            self._move("returning", by, at, "counter-offer declined")

    def lapse_counter_offer(self, policy: CounterOfferPolicy, *, at: datetime) -> bool:
        """Answer for a customer who stayed silent past the window; False when it is not over."""
        if self.status != "counter_offered" or self.answer_by is None or at <= self.answer_by:
            return False
        self.answer_counter_offer(policy.default_accepts, by=SYSTEM, at=at, by_default=True)
        return True

    def returned(self, *, by: str, at: datetime) -> None:
        """The device is back with its owner, at reloop's cost; nothing was paid."""
        self._require("return", "returning")
        self._move("returned", by, at)
        self.recorder.record(events.DeviceReturned(self.trade_in_id, "counter_offer_declined", at))

    # --- paying -------------------------------------------------------------------------------

    def payout_amount(self) -> Money:
        """What the customer receives: the offer, plus the market's bonus when paid in store credit."""
        if self.payout_method == "voucher":
            return with_bonus(self.offered, self.voucher_bonus_bps)
        return self.offered

    def ensure_payable(self) -> None:
        self._require("pay", "inspected")

    def pay(self, *, voucher_id: str | None, payout_reference: str | None, by: str, at: datetime) -> None:
        self.ensure_payable()
        method: PayoutMethod = self.payout_method or "bank_transfer"
        amount = self.payout_amount()
        self.paid, self.voucher_id, self.payout_reference = amount, voucher_id, payout_reference
        self._move("paid", by, at, f"{method} {amount}")
        self.recorder.record(events.TradeInPaid(self.trade_in_id, method, amount, voucher_id, payout_reference, at))

    # --- after it is reloop's -----------------------------------------------------------------

    def check_shop_grading(self, grade: Grade, findings: tuple[str, ...], *, by: str, at: datetime) -> None:
        """The centre's own grade of a device a shop bought. The customer keeps what the shop paid
        whatever it finds; the shop's grading is what is measured."""
        self._require("check the shop's grading of", "settled_at_shop")
        if self.grade is not None:
            raise InvalidTransition("the centre has graded this device already", field="status")
        worse = self.shop_grade is not None and is_worse(grade, self.shop_grade)
        self.grade, self.findings = grade, findings
        self.history.append(Transition(self.status, self.status, by, at, f"centre grade {grade}"))
        self.recorder.record(events.DeviceInspected(self.trade_in_id, grade, findings, by, worse, at))
        if self.shop_grade is not None and self.shop_id is not None:
            self.recorder.record(
                events.ShopGradingChecked(self.trade_in_id, self.shop_id, self.shop_grade, grade, not worse, at)
            )

    def ready_for_sale(self, unit_id: str, sku: str, grade: Grade, *, by: str, at: datetime) -> None:
        """Refurbished and graded for resale: inventory receives it as a unit that keeps its origin."""
        self._require("put up for sale", "paid", "settled_at_shop")
        if self.unit_id is not None:
            raise AlreadyReady(f"the device is unit {self.unit_id} already", field="unit_id")
        identifier = self.device.identifier
        if identifier is None:
            raise InvalidTransition("a device goes on sale only once it is identified", field="identifier")
        self.unit_id, self.sku = unit_id, sku
        self.history.append(Transition(self.status, self.status, by, at, f"ready for sale as {sku}"))
        self.recorder.record(
            events.TradeInUnitReady(self.trade_in_id, unit_id, sku, identifier, grade, self.offered, at)
        )

    # --- the state machine --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _require(self, doing: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"cannot {doing} a trade-in that is {self.status}", field="status")

    def _move(self, to: Status, by: str, at: datetime, note: str = "") -> None:
        self.history.append(Transition(self.status, to, by, at, note))
        self.status = to


def ensure_not_open_elsewhere(identifier: DeviceIdentifier, open_trade_in: str | None, trade_in_id: str) -> None:
    """One device, one open trade-in: a second would pay twice for one phone."""
    if open_trade_in is not None and open_trade_in != trade_in_id:
        raise DeviceAlreadyOpen(
            f"{identifier.kind} {identifier.value} is in open trade-in {open_trade_in}", field="identifier"
        )
