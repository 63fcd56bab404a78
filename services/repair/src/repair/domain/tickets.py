"""The repair ticket: one device from intake through the workshop back to its owner.

Its state machine is the workshop's promise to the customer: every move is checked against the
current state (anything else is an `InvalidTransition` naming that state) and written into the
ticket's history with who made it and when.

    received -> diagnosed -> (quoted -> accepted | declined, when the customer pays)
             -> waiting_for_parts -> in_repair -> repaired -> quality_checked
             -> ready_for_pickup | shipped_back -> closed
    declined or unrepairable -> returned_unrepaired -> closed

Parts are the centre's business (`parts.PartStock`); the ticket keeps which it needs and whether
they are reserved, so the handler knows what to reserve, consume or release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from reloop_contracts.amounts import Money
from reloop_shared.recording import EventRecorder
from repair.domain import events
from repair.domain.coverage import CoverageDecision
from repair.domain.devices import Device
from repair.domain.errors import InvalidDiagnosis, InvalidTransition, QuoteLapsed
from repair.domain.events import Channel, Coverage, DomainEvent, HandBack, PartNeed, Status
from repair.domain.resale_values import ResaleValueSource
from repair.domain.workshop_policy import WorkshopPolicy

SYSTEM = "system"
OPEN: frozenset[Status] = frozenset(
    {"received", "diagnosed", "quoted", "waiting_for_parts", "in_repair", "repaired", "quality_checked"}
)
"""Still in the workshop: what an SLA list would watch."""


@dataclass(frozen=True)
class Transition:
    from_status: Status | None
    to_status: Status
    by: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class Intake:
    """Everything a ticket starts from, however the device came in."""

    ticket_id: str
    market: str
    channel: Channel
    shop_id: str | None
    drop_off_id: str | None
    customer_id: str | None
    device: Device
    unit_id: str | None
    symptoms: str
    photos: tuple[str, ...]
    shipment_reference: str | None
    centre_id: str
    tracking_hash: str


@dataclass(frozen=True)
class Diagnosis:
    findings: tuple[str, ...]
    parts: tuple[PartNeed, ...]
    estimate: Money
    repairable: bool
    resale_value: Money | None
    """What the device is worth to the business once repaired (`resale_values.resale_value`)."""
    resale_value_source: ResaleValueSource = "workshop"
    """Where `resale_value` came from: the workshop's figure or the catalog's prices."""


@dataclass
class Ticket:
    ticket_id: str
    market: str
    channel: Channel
    shop_id: str | None
    drop_off_id: str | None
    customer_id: str | None
    device: Device
    unit_id: str | None
    bought_from_us: bool
    symptoms: str
    photos: tuple[str, ...]
    shipment_reference: str | None
    centre_id: str
    tracking_hash: str
    coverage: Coverage
    coverage_reason: str
    subscription_id: str | None
    opened_at: datetime
    status: Status
    history: list[Transition] = field(default_factory=list)
    findings: tuple[str, ...] = ()
    parts: tuple[PartNeed, ...] = ()
    parts_reserved: bool = False
    estimate: Money | None = None
    resale_value: Money | None = None
    resale_value_source: ResaleValueSource | None = None
    beyond_economic_repair: bool = False
    quote: Money | None = None
    answer_by: datetime | None = None
    charged: Money | None = None
    recorder: EventRecorder[DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def open(cls, intake: Intake, decision: CoverageDecision, *, bought_from_us: bool, by: str, at: datetime) -> Ticket:
        ticket = cls(
            intake.ticket_id,
            intake.market,
            intake.channel,
            intake.shop_id,
            intake.drop_off_id,
            intake.customer_id,
            intake.device,
            intake.unit_id,
            bought_from_us,
            intake.symptoms,
            intake.photos,
            intake.shipment_reference,
            intake.centre_id,
            intake.tracking_hash,
            decision.coverage,
            decision.reason,
            decision.subscription_id,
            at,
            "received",
            [Transition(None, "received", by, at, decision.reason)],
        )
        ticket.recorder.record(
            events.TicketOpened(
                ticket.ticket_id,
                ticket.channel,
                ticket.shop_id,
                ticket.drop_off_id,
                ticket.market,
                ticket.customer_id,
                ticket.device,
                bought_from_us,
                ticket.unit_id,
                ticket.symptoms,
                ticket.coverage,
                ticket.coverage_reason,
                ticket.subscription_id,
                at,
            )
        )
        return ticket

    # --- diagnosis and the quote --------------------------------------------------------------

    def diagnose(self, diagnosis: Diagnosis, policy: WorkshopPolicy, *, by: str, at: datetime) -> None:
        """What is wrong and what it takes. A paid repair is quoted the estimate at once; a covered
        one goes on to its parts; an unrepairable device goes back. Beyond economic repair (the
        estimate above the market's share of the resale value) the owner is offered a trade-in."""
        self._require("diagnose", "received")
        if not diagnosis.findings:
            raise InvalidDiagnosis("a diagnosis says what was found", field="findings")
        if not diagnosis.repairable and diagnosis.parts:
            raise InvalidDiagnosis("an unrepairable device needs no parts", field="parts")
        if diagnosis.estimate.amount_minor < 0:
            raise InvalidDiagnosis("an estimate is not negative", field="estimate")
        uneconomic = diagnosis.repairable and policy.beyond_economic_repair(
            self.market, diagnosis.estimate, diagnosis.resale_value
        )
        self.findings, self.parts, self.estimate = diagnosis.findings, diagnosis.parts, diagnosis.estimate
        self.resale_value, self.beyond_economic_repair = diagnosis.resale_value, uneconomic
        self.resale_value_source = diagnosis.resale_value_source if diagnosis.resale_value is not None else None
        self._move("diagnosed", by, at)
        self.recorder.record(
            events.TicketDiagnosed(
                self.ticket_id,
                diagnosis.findings,
                diagnosis.parts,
                diagnosis.estimate,
                diagnosis.repairable,
                uneconomic,
                by,
                at,
            )
        )
        if uneconomic and diagnosis.resale_value is not None:
            self.recorder.record(
                events.TradeInSuggested(
                    self.ticket_id,
                    self.customer_id,
                    self.market,
                    self.device,
                    diagnosis.estimate,
                    diagnosis.resale_value,
                    at,
                )
            )
        if not diagnosis.repairable:
            self._move("returned_unrepaired", by, at, "unrepairable")
        elif self.coverage == "paid" and diagnosis.estimate.amount_minor > 0:
            self.quote, self.answer_by = diagnosis.estimate, at + policy.quote_validity
            self._move("quoted", by, at, str(diagnosis.estimate), progressed=False)
            self.recorder.record(events.RepairQuoted(self.ticket_id, diagnosis.estimate, self.answer_by, at))
        else:
            self._ready_for_parts(by, at)

    def answer_quote(self, accepted: bool, *, by: str, at: datetime, by_default: bool = False) -> None:
        self._require("answer the quote of", "quoted")
        if not by_default and self.answer_by is not None and at > self.answer_by:
            # Past its deadline the market's default answers (the lapse sweep), not whichever of
            # the customer and the sweep gets there first.
            raise QuoteLapsed(f"the quote could be answered until {self.answer_by.isoformat()}", field="answer_by")
        self.recorder.record(events.QuoteAnswered(self.ticket_id, accepted, by_default, at))
        how = " by default" if by_default else ""
        if accepted:
            self._ready_for_parts(by, at, f"quote accepted{how}")
        else:
            self._move("returned_unrepaired", by, at, f"quote declined{how}")

    def lapse_quote(self, accepted: bool, *, at: datetime) -> None:
        """No answer came by `answer_by`: the market's default answer (`accepted` or not) stands,
        given by the system."""
        self._require("lapse the quote of", "quoted")
        if self.answer_by is None or at < self.answer_by:
            raise InvalidTransition("the quote has not reached its deadline", field="answer_by")
        self.answer_quote(accepted, by=SYSTEM, at=at, by_default=True)

    def _ready_for_parts(self, by: str, at: datetime, note: str = "") -> None:
        """On to the workshop: waiting for its parts, or, needing none, ready to start (back to
        `diagnosed` after an accepted quote: the contract's states have no `accepted`)."""
        if self.parts:
            self._move("waiting_for_parts", by, at, note)
        elif self.status != "diagnosed":
            self._move("diagnosed", by, at, note, progressed=False)

    # --- parts --------------------------------------------------------------------------------

    @property
    def wants_parts_reserved(self) -> bool:
        """Parts needed and not held yet, in a state where they will be fitted."""
        return bool(self.parts) and not self.parts_reserved and self.status in ("quoted", "waiting_for_parts")

    @property
    def holds_parts_to_release(self) -> bool:
        """Parts held for a repair that will not happen."""
        return self.parts_reserved and self.status == "returned_unrepaired"

    def parts_held(self) -> None:
        self.parts_reserved = True

    def parts_let_go(self) -> None:
        self.parts_reserved = False

    # --- the workshop -------------------------------------------------------------------------

    def start_repair(self, *, by: str, at: datetime) -> None:
        self._require("start repairing", "diagnosed", "waiting_for_parts")
        if self.parts and not self.parts_reserved:
            raise InvalidTransition("the ticket's parts are not reserved yet", field="parts")
        self._move("in_repair", by, at)

    def mark_repaired(self, *, by: str, at: datetime) -> tuple[PartNeed, ...]:
        """Repaired: the parts reserved for it were fitted (returned, for the handler to consume)."""
        self._require("mark repaired", "in_repair")
        self._move("repaired", by, at)
        fitted, self.parts_reserved = (self.parts if self.parts_reserved else ()), False
        return fitted

    def quality_check(self, passed: bool, *, by: str, at: datetime, note: str = "") -> None:
        self._require("quality check", "repaired")
        if not passed:
            self._move("in_repair", by, at, note or "quality check failed")
            return
        self.charged = self.quote if self.coverage == "paid" and self.quote is not None else None
        assert self.estimate is not None  # diagnosed before it could be repaired
        charged = self.charged or Money.zero(self.estimate.currency)
        self._move("quality_checked", by, at, note)
        self.recorder.record(events.RepairCompleted(self.ticket_id, self.coverage, charged, self.parts, at))

    def send_back(self, *, by: str, at: datetime) -> None:
        """Ready for its owner: waiting at the shop it was left at, or shipped to a mail customer."""
        self._require("send back", "quality_checked")
        self._move("ready_for_pickup" if self.shop_id is not None else "shipped_back", by, at)

    def hand_back(self, *, by: str, at: datetime) -> None:
        """The device is back with its owner (picked up, or the parcel delivered): the ticket closes."""
        self._require("hand back", "ready_for_pickup", "shipped_back", "returned_unrepaired")
        repaired = self.status != "returned_unrepaired"
        how: HandBack = (
            "picked_up"
            if self.status == "ready_for_pickup" or (self.status == "returned_unrepaired" and self.shop_id is not None)
            else "shipped"
        )
        self._move("closed", by, at, how)
        self.recorder.record(events.DeviceHandedBack(self.ticket_id, repaired, how, self.shop_id, at))

    # --- the state machine --------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def _require(self, doing: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"cannot {doing} a ticket that is {self.status}", field="status")

    def _move(self, to: Status, by: str, at: datetime, note: str = "", *, progressed: bool = True) -> None:
        self.history.append(Transition(self.status, to, by, at, note))
        self.status = to
        if progressed and to not in ("received", "diagnosed", "closed"):
            self.recorder.record(events.TicketProgressed(self.ticket_id, to, by, at))
