"""The repair edge's request and answer bodies (tickets, parts, tracking). Every list and string is
bounded; a field a route does not know is refused (`RequestBody`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from reloop_contracts import NonNegativeMoney
from reloop_contracts.amounts import Money
from reloop_shared.http.requests import RequestBody
from repair.domain.devices import Category, Device, DeviceIdentifier, identify
from repair.domain.events import Coverage, PartNeed, Status
from repair.domain.parts import PartStock
from repair.domain.resale_values import ResaleValueSource
from repair.domain.tickets import Ticket, Transition
from repair.service_layer.intake import OpenedTicket
from repair.service_layer.tracking import TrackedStatus

Text = Annotated[str, Field(min_length=1, max_length=200)]
PartSku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]


class IdentifierIn(RequestBody):
    kind: Literal["imei", "serial"]
    value: str = Field(min_length=4, max_length=64, description="15 digits for an IMEI (Luhn-checked).")

    def identifier(self) -> DeviceIdentifier:
        return identify(self.kind, self.value)


class DeviceIn(RequestBody):
    identifier: IdentifierIn
    category: Category
    model: str = Field(min_length=1, max_length=128, description="The catalog product id, or the model as told.")

    def device(self) -> Device:
        return Device(self.identifier.identifier(), self.category, self.model)


class MoneyIn(RequestBody):
    amount_minor: int = Field(ge=0, le=2**63 - 1, description="Minor units (cents): what a BIGINT holds.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    def value(self) -> Money:
        return Money(self.amount_minor, self.currency)


class TicketIn(RequestBody):
    """A device the customer sends to the centre by parcel."""

    market: str = Field(pattern=r"^[A-Z]{2}$")
    device: DeviceIn
    unit_id: str | None = Field(
        default=None, min_length=1, max_length=64, description="The unit id on a reloop order, for the warranty."
    )
    symptoms: str = Field(min_length=1, max_length=2000)
    photos: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=10, description="References (URLs or ids) of photos of the damage."
    )
    shipment_reference: str | None = Field(default=None, min_length=1, max_length=128)


class StaffTicketIn(TicketIn):
    """A parcel staff open a ticket for, on a customer's behalf (or for no known account)."""

    customer_id: str | None = Field(default=None, min_length=1, max_length=128)


class PartNeedIn(RequestBody):
    part_sku: PartSku
    quantity: int = Field(default=1, ge=1, le=99)


class DiagnosisIn(RequestBody):
    findings: list[Text] = Field(min_length=1, max_length=50)
    parts: list[PartNeedIn] = Field(default_factory=list, max_length=50)
    estimate: MoneyIn = Field(description="What the repair costs, parts and labour, covered or not.")
    repairable: bool = True
    resale_value: MoneyIn | None = Field(
        default=None, description="What the device is worth to reloop once repaired (for beyond-economic repair)."
    )

    def needs(self) -> tuple[PartNeed, ...]:
        return tuple(PartNeed(p.part_sku, p.quantity) for p in self.parts)


class QuoteAnswerIn(RequestBody):
    accepted: bool


class StepIn(RequestBody):
    note: str = Field(default="", max_length=200)


class PartsReceiptIn(RequestBody):
    quantity: int = Field(ge=1, le=100_000)
    reorder_point: int | None = Field(default=None, ge=0, le=100_000)


class TransitionOut(BaseModel):
    from_status: Status | None
    to_status: Status
    by: str
    at: datetime
    note: str

    @classmethod
    def of(cls, t: Transition) -> TransitionOut:
        return cls(from_status=t.from_status, to_status=t.to_status, by=t.by, at=t.at, note=t.note)


class PartNeedOut(BaseModel):
    part_sku: str
    quantity: int


class TicketOut(BaseModel):
    ticket_id: str
    status: Status
    market: str
    channel: str
    shop_id: str | None
    customer_id: str | None
    identifier_kind: str
    identifier_value: str
    category: str
    model: str
    bought_from_us: bool
    symptoms: str
    photos: list[str]
    shipment_reference: str | None
    centre_id: str
    coverage: Coverage
    coverage_reason: str
    subscription_id: str | None
    opened_at: datetime
    findings: list[str]
    parts: list[PartNeedOut]
    parts_reserved: bool
    estimate: NonNegativeMoney | None
    resale_value: NonNegativeMoney | None = Field(description="What the device resells for once repaired.")
    resale_value_source: ResaleValueSource | None = Field(
        description="Where the resale value came from: the workshop's figure (`workshop`), the catalog's price "
        "of the SKU reloop sold (`catalog_sku`) or the lowest of the device's model family (`catalog_model`)."
    )
    beyond_economic_repair: bool
    quote: NonNegativeMoney | None
    answer_by: datetime | None
    charged: NonNegativeMoney | None
    history: list[TransitionOut]

    @classmethod
    def of(cls, t: Ticket) -> TicketOut:
        return cls(
            ticket_id=t.ticket_id,
            status=t.status,
            market=t.market,
            channel=t.channel,
            shop_id=t.shop_id,
            customer_id=t.customer_id,
            identifier_kind=t.device.identifier.kind,
            identifier_value=t.device.identifier.value,
            category=t.device.category,
            model=t.device.model,
            bought_from_us=t.bought_from_us,
            symptoms=t.symptoms,
            photos=list(t.photos),
            shipment_reference=t.shipment_reference,
            centre_id=t.centre_id,
            coverage=t.coverage,
            coverage_reason=t.coverage_reason,
            subscription_id=t.subscription_id,
            opened_at=t.opened_at,
            findings=list(t.findings),
            parts=[PartNeedOut(part_sku=p.part_sku, quantity=p.quantity) for p in t.parts],
            parts_reserved=t.parts_reserved,
            estimate=NonNegativeMoney.of(t.estimate) if t.estimate else None,
            resale_value=NonNegativeMoney.of(t.resale_value) if t.resale_value else None,
            resale_value_source=t.resale_value_source,
            beyond_economic_repair=t.beyond_economic_repair,
            quote=NonNegativeMoney.of(t.quote) if t.quote else None,
            answer_by=t.answer_by,
            charged=NonNegativeMoney.of(t.charged) if t.charged else None,
            history=[TransitionOut.of(h) for h in t.history],
        )


class OpenedTicketOut(BaseModel):
    ticket: TicketOut
    tracking_code: str = Field(description="Shown once: keep it to follow the repair at GET /track/{code}.")

    @classmethod
    def of(cls, opened: OpenedTicket) -> OpenedTicketOut:
        assert opened.tracking_code is not None
        return cls(ticket=TicketOut.of(opened.ticket), tracking_code=opened.tracking_code)


class TrackingOut(BaseModel):
    """A ticket's status and since when: nothing that says whose device it is."""

    status: Status
    since: datetime

    @classmethod
    def of(cls, tracked: TrackedStatus) -> TrackingOut:
        return cls(status=tracked.status, since=tracked.since)


class PartStockOut(BaseModel):
    centre_id: str
    part_sku: str
    on_hand: int
    reserved: int
    available: int
    reorder_point: int

    @classmethod
    def of(cls, s: PartStock) -> PartStockOut:
        return cls(
            centre_id=s.centre_id,
            part_sku=s.part_sku,
            on_hand=s.on_hand,
            reserved=s.reserved,
            available=s.available,
            reorder_point=s.reorder_point,
        )
