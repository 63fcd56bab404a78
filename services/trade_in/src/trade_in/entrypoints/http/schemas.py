"""The trade-in edge's bodies and answers: every input bounded, every answer typed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from reloop_contracts import NonNegativeMoney
from reloop_contracts.amounts import Money
from reloop_contracts.money import Market
from reloop_shared.http.requests import RequestBody
from trade_in.domain.devices import DeviceIdentifier, identify
from trade_in.domain.events import Answers, Category, Condition
from trade_in.domain.grades import Grade
from trade_in.domain.pricing import GridEntry
from trade_in.domain.trade_ins import Status, TradeIn
from trade_in.service_layer.payouts import Payout
from trade_in.service_layer.ports import DenyListEntry, GradingAccuracy

Id = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class IdentifierIn(RequestBody):
    kind: Literal["imei", "serial"]
    value: str = Field(min_length=4, max_length=64, description="15 digits for an IMEI (Luhn-checked).")

    def identifier(self) -> DeviceIdentifier:
        return identify(self.kind, self.value)


class AnswersIn(RequestBody):
    screen: Literal["flawless", "light_scratches", "deep_scratches", "cracked"]
    body: Literal["flawless", "light_scratches", "dents", "broken"]
    battery_health_pct: int | None = Field(default=None, ge=0, le=100)
    powers_on: bool
    functional_checks_passed: bool
    activation_lock_removed: bool


class QuoteIn(RequestBody):
    market: Market
    model_family: Id = Field(description="The catalog's product id of the model.")
    storage_gb: int = Field(ge=0, le=65536)
    category: Category
    identifier: IdentifierIn | None = None
    declared_grade: Grade
    answers: AnswersIn

    def condition(self) -> Condition:
        return Condition(self.declared_grade, Answers(**self.answers.model_dump()))


class ShopQuoteIn(QuoteIn):
    shop_id: Id
    channel: Literal["own_shop", "partner_shop"]
    customer_id: str | None = Field(default=None, min_length=1, max_length=128)


class AcceptIn(RequestBody):
    payout_method: Literal["bank_transfer", "voucher"]
    shipment_reference: Id | None = None


class ShipmentIn(RequestBody):
    shipment_reference: Id


class ReceiptIn(RequestBody):
    location_id: Id
    identifier: IdentifierIn
    activation_locked: bool = Field(default=False, description="The device is still locked to an account.")


class InspectionIn(RequestBody):
    grade: Grade
    findings: list[Text] = Field(default_factory=list, max_length=50)


class AnswerIn(RequestBody):
    accepted: bool


class ReadyIn(RequestBody):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")
    grade: Grade


class MoneyIn(RequestBody):
    amount_minor: int = Field(ge=0, le=2**63 - 1, description="Minor units (cents): what a BIGINT holds.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    def value(self) -> Money:
        return Money(self.amount_minor, self.currency)


class GridEntryIn(RequestBody):
    price: MoneyIn = Field(description="What the device is worth at the model's release.")
    floor: MoneyIn = Field(description="Age never takes the price below this.")
    released_on: date
    monthly_decay_bps: int = Field(ge=0, le=10_000, description="Share of the price lost per month since release.")


class DenyIn(RequestBody):
    identifier: IdentifierIn
    reason: Text


class TransitionOut(BaseModel):
    from_status: Status | None
    to_status: Status
    by: str
    at: datetime
    note: str


class IdentifierOut(BaseModel):
    kind: Literal["imei", "serial"]
    value: str
    tac: str | None

    @classmethod
    def of(cls, identifier: DeviceIdentifier | None) -> IdentifierOut | None:
        return None if identifier is None else cls(kind=identifier.kind, value=identifier.value, tac=identifier.tac)


class TradeInOut(BaseModel):
    trade_in_id: str
    status: Status
    market: str
    customer_id: str | None
    channel: str
    shop_id: str | None
    model_family: str
    storage_gb: int
    identifier: IdentifierOut | None
    declared_grade: Grade | None
    offered: NonNegativeMoney
    voucher_bonus_bps: int
    deny_listed_at_quote: bool = Field(description="The IMEI was on the deny list when quoted (a soft check).")
    quoted_at: datetime
    expires_at: datetime | None
    payout_method: str | None
    hold_reason: str | None
    hold_detail: str | None
    grade: Grade | None
    findings: list[str]
    counter_offer: NonNegativeMoney | None
    answer_by: datetime | None
    paid: NonNegativeMoney | None
    voucher_id: str | None
    payout_reference: str | None
    unit_id: str | None
    history: list[TransitionOut]

    @classmethod
    def of(cls, t: TradeIn) -> TradeInOut:
        return cls(
            trade_in_id=t.trade_in_id,
            status=t.status,
            market=t.market,
            customer_id=t.customer_id,
            channel=t.channel,
            shop_id=t.shop_id,
            model_family=t.device.model_family,
            storage_gb=t.device.storage_gb,
            identifier=IdentifierOut.of(t.device.identifier),
            declared_grade=t.declared.grade if t.declared else None,
            offered=NonNegativeMoney.of(t.offered),
            voucher_bonus_bps=t.voucher_bonus_bps,
            deny_listed_at_quote=t.deny_listed_at_quote,
            quoted_at=t.quoted_at,
            expires_at=t.expires_at,
            payout_method=t.payout_method,
            hold_reason=t.hold_reason,
            hold_detail=t.hold_detail,
            grade=t.grade,
            findings=list(t.findings),
            counter_offer=NonNegativeMoney.of(t.counter_offer) if t.counter_offer else None,
            answer_by=t.answer_by,
            paid=NonNegativeMoney.of(t.paid) if t.paid else None,
            voucher_id=t.voucher_id,
            payout_reference=t.payout_reference,
            unit_id=t.unit_id,
            history=[
                TransitionOut(from_status=h.from_status, to_status=h.to_status, by=h.by, at=h.at, note=h.note)
                for h in t.history
            ],
        )


class IssuedVoucherOut(BaseModel):
    voucher_id: str
    code: str = Field(description="The code in clear, shown this once: reloop keeps only its hash.")
    code_hint: str
    amount: NonNegativeMoney
    expires_at: datetime


class PayoutOut(BaseModel):
    trade_in: TradeInOut
    voucher: IssuedVoucherOut | None

    @classmethod
    def of(cls, payout: Payout) -> PayoutOut:
        v = payout.voucher
        voucher = (
            IssuedVoucherOut(
                voucher_id=v.voucher_id,
                code=v.code,
                code_hint=v.code_hint,
                amount=NonNegativeMoney.of(v.amount),
                expires_at=v.expires_at,
            )
            if v
            else None
        )
        return cls(trade_in=TradeInOut.of(payout.trade_in), voucher=voucher)


class GridEntryOut(BaseModel):
    market: str
    model_family: str
    storage_gb: int
    grade: Grade
    price: NonNegativeMoney
    floor: NonNegativeMoney
    released_on: date
    monthly_decay_bps: int

    @classmethod
    def of(cls, e: GridEntry) -> GridEntryOut:
        return cls(
            market=e.key.market,
            model_family=e.key.model_family,
            storage_gb=e.key.storage_gb,
            grade=e.key.grade,
            price=NonNegativeMoney.of(e.price),
            floor=NonNegativeMoney.of(e.floor),
            released_on=e.released_on,
            monthly_decay_bps=e.monthly_decay_bps,
        )


class DenyEntryOut(BaseModel):
    identifier: IdentifierOut
    reason: str
    added_by: str
    added_at: datetime

    @classmethod
    def of(cls, e: DenyListEntry) -> DenyEntryOut:
        identifier = IdentifierOut.of(e.identifier)
        assert identifier is not None
        return cls(identifier=identifier, reason=e.reason, added_by=e.added_by, added_at=e.added_at)


class GradingAccuracyOut(BaseModel):
    shop_id: str
    checked: int = Field(description="Devices the shop bought that the centre has graded.")
    accurate: int = Field(description="Of those, graded by the shop no better than the centre found.")
    rate: float | None = Field(description="accurate / checked; null before the first check.")

    @classmethod
    def of(cls, a: GradingAccuracy) -> GradingAccuracyOut:
        return cls(shop_id=a.shop_id, checked=a.checked, accurate=a.accurate, rate=a.rate)
