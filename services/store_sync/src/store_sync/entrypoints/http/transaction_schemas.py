"""The POS API's bodies in reloop's own format, and how they become domain transactions.

Amounts are integer minor units of the shop's currency, tax included (what the customer paid).
`occurred_at` with an offset is taken as is; without one, it is the shop's local time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from reloop_contracts.amounts import Money
from reloop_contracts.iso4217 import MINOR_UNITS
from reloop_shared.http.requests import RequestBody
from store_sync.config import MAX_UPLOAD
from store_sync.domain.days import DayTotals
from store_sync.domain.journal import Outcome
from store_sync.domain.policy import Contact, TillCustomer
from store_sync.domain.transactions import (
    DayClose,
    Device,
    Payment,
    RepairDropOff,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    StockCount,
    TradeIn,
    Transaction,
)
from store_sync.domain.voucher_holds import CODE_RULE, code_hash, is_voucher_code

TxnId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/#-]*$")]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]
Ident = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=500)]
ItemKind = Literal["refurbished_device", "accessory", "service"]
Quantity = Annotated[StrictInt, Field(ge=1, le=999)]
Count = Annotated[StrictInt, Field(ge=0, le=2**31 - 1)]
"""A count of things: what an INTEGER column holds."""
MAX_UNITS_COUNTED = 5000
"""Devices a shop's count may find: a shop holds hundreds, never thousands."""


class MoneyIn(RequestBody):
    amount_minor: StrictInt = Field(ge=0, le=2**63 - 1, description="Minor units (cents), tax included; a BIGINT.")
    currency: str = Field(pattern=r"^[A-Z]{3}$")

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, currency: str) -> str:
        # Checked here, not by Money, so the refusal names the amount's full path in the upload.
        if currency not in MINOR_UNITS:
            raise ValueError(f"'{currency}' is not an ISO 4217 currency")
        return currency

    def domain(self) -> Money:
        return Money(self.amount_minor, self.currency)


class ConsentIn(RequestBody):
    marketing: StrictBool = False
    partner_sharing: StrictBool = Field(default=False, description="May reloop and the partner share the data.")


class CustomerIn(RequestBody):
    """The customer, if they gave anything at the till. Contact details are personal data: they
    reach CRM sealed, or not at all, as the shop's policy and the consent say."""

    customer_id: Ident | None = Field(default=None, description="A reloop account the customer identified with.")
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[str, Field(max_length=32, pattern=r"^\+?[0-9 ().-]{4,32}$")] | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    consent: ConsentIn = ConsentIn()

    def domain(self) -> TillCustomer:
        contact = Contact(self.email, self.phone, self.name)
        return TillCustomer(
            self.customer_id,
            contact if contact.fields() else None,
            self.consent.marketing,
            self.consent.partner_sharing,
        )


class _Txn(RequestBody):
    client_txn_id: TxnId = Field(description="The till's own id: the same id twice is one transaction.")
    occurred_at: datetime = Field(description="When it happened; without an offset, the shop's local time.")


class SaleLineIn(RequestBody):
    line_id: Ident
    kind: ItemKind
    sku: SkuCode
    unit_id: Ident | None = Field(default=None, description="The unit, for a refurbished device.")
    quantity: Quantity = 1
    unit_price: MoneyIn
    discount: MoneyIn | None = None
    service_code: Ident | None = None


class PaymentIn(RequestBody):
    method: Literal["card", "cash", "voucher", "financing", "gift_card", "other"]
    amount: MoneyIn
    reference: Ident | None = Field(
        default=None,
        description="The provider's reference; for a voucher, the `hold_id` of the hold the till got for it "
        "(`POST /shops/{shop_id}/voucher-holds`), if any.",
    )
    voucher_code: Ident | None = Field(
        default=None,
        description="The voucher's code as typed (any case, dashes, spaces): hashed on arrival, never stored nor "
        "sent in clear.",
    )

    @field_validator("voucher_code")
    @classmethod
    def _a_voucher_code(cls, code: str | None) -> str | None:
        if code is not None and not is_voucher_code(code):
            raise ValueError(CODE_RULE)
        return code

    def domain(self) -> Payment:
        hashed = code_hash(self.voucher_code) if self.voucher_code is not None else None
        return Payment(self.method, self.amount.domain(), self.reference, hashed)


class SaleIn(_Txn):
    type: Literal["sale"] = "sale"
    lines: list[SaleLineIn] = Field(min_length=1, max_length=200)
    payments: list[PaymentIn] = Field(default_factory=list, max_length=20)
    total: MoneyIn
    customer: CustomerIn | None = None
    reservation_id: Ident | None = Field(default=None, description="A hold this sale collects (click-and-collect).")

    def domain(self) -> Sale:
        return Sale(
            self.client_txn_id,
            self.occurred_at,
            tuple(
                SaleLine(
                    line.line_id,
                    line.kind,
                    line.sku,
                    line.unit_price.domain(),
                    line.quantity,
                    line.unit_id,
                    line.discount.domain() if line.discount else None,
                    line.service_code,
                )
                for line in self.lines
            ),
            self.total.domain(),
            tuple(p.domain() for p in self.payments),
            self.customer.domain() if self.customer else None,
            self.reservation_id,
        )


class ReturnLineIn(RequestBody):
    line_id: Ident = Field(description="The sale line returned.")
    kind: ItemKind
    sku: SkuCode
    unit_id: Ident | None = None
    quantity: Quantity = 1
    reason: Text = ""
    refund: MoneyIn


class RefundIn(PaymentIn):
    """How (part of) a return was paid back; store credit onto the sale's voucher is a refund too."""

    reference: Ident | None = Field(
        default=None,
        description="The provider's reference; for a voucher, the `hold_id` of the hold the till got for the sale's "
        "voucher payment, if it had one.",
    )
    voucher_code: Ident | None = Field(
        default=None,
        description="For a voucher refund (required): the code of the voucher the sale was paid with, as typed; "
        "hashed on arrival, never stored nor sent in clear.",
    )


class ReturnIn(_Txn):
    type: Literal["return"] = "return"
    sale_txn_id: TxnId | None = Field(default=None, description="This till's sale (its client_txn_id)...")
    sale_id: Ident | None = Field(default=None, description="...or another channel's sale (an online order id).")
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    customer: CustomerIn | None = None
    refunds: list[RefundIn] | None = Field(
        default=None,
        max_length=20,
        description="How the refund was paid back, adding up to the lines' refunds; absent or empty: not said.",
    )

    def domain(self) -> Return:
        return Return(
            self.client_txn_id,
            self.occurred_at,
            tuple(
                ReturnLine(
                    line.line_id, line.kind, line.sku, line.refund.domain(), line.quantity, line.unit_id, line.reason
                )
                for line in self.lines
            ),
            self.sale_txn_id,
            self.sale_id,
            self.customer.domain() if self.customer else None,
            tuple(r.domain() for r in self.refunds) if self.refunds else None,
        )


class DeviceIn(RequestBody):
    identifier_kind: Literal["imei", "serial"]
    identifier: Annotated[str, Field(min_length=4, max_length=64)]
    sku: SkuCode | None = None
    description: Text = ""

    def domain(self) -> Device:
        return Device(self.identifier_kind, self.identifier, self.sku, self.description)


class TradeInIn(_Txn):
    type: Literal["trade_in"] = "trade_in"
    device: DeviceIn
    condition: Text = ""
    payout: MoneyIn
    payout_method: Literal["cash", "store_credit", "bank_transfer"]
    customer: CustomerIn | None = None
    trade_in_id: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        default=None,
        description="A trade-in quoted online that the customer brought here instead of mailing it: the shop only "
        "collects the device, its payout is 0, and trade-in pays once the centre has inspected it.",
    )

    def domain(self) -> TradeIn:
        customer = self.customer.domain() if self.customer else None
        return TradeIn(
            self.client_txn_id,
            self.occurred_at,
            self.device.domain(),
            self.payout.domain(),
            self.payout_method,
            self.condition,
            customer,
            self.trade_in_id,
        )


class RepairIn(_Txn):
    type: Literal["repair"] = "repair"
    device: DeviceIn
    issue: Annotated[str, Field(min_length=1, max_length=500)]
    quote: MoneyIn | None = None
    customer: CustomerIn | None = None

    def domain(self) -> RepairDropOff:
        quote = self.quote.domain() if self.quote else None
        customer = self.customer.domain() if self.customer else None
        return RepairDropOff(self.client_txn_id, self.occurred_at, self.device.domain(), self.issue, quote, customer)


class CountedIn(RequestBody):
    sku: SkuCode
    counted: Count


class StockCountIn(_Txn):
    type: Literal["stock_count"] = "stock_count"
    reason: Text = "shop count"
    accessories: list[CountedIn] = Field(default_factory=list, max_length=5000)
    units_present: list[Ident] | None = Field(
        default=None, max_length=MAX_UNITS_COUNTED, description="Every device found; null: not counted."
    )

    def domain(self) -> StockCount:
        units = tuple(self.units_present) if self.units_present is not None else None
        return StockCount(
            self.client_txn_id,
            self.occurred_at,
            self.reason,
            tuple((c.sku, c.counted) for c in self.accessories),
            units,
        )


class TotalsIn(RequestBody):
    sales: Count
    sales_amount: MoneyIn
    returns: Count = 0
    refunds: MoneyIn
    trade_ins: Count = 0
    repairs: Count = 0
    sales_tax: MoneyIn | None = None


class DayCloseIn(_Txn):
    type: Literal["day_close"] = "day_close"
    business_date: date = Field(description="The shop's local day being closed.")
    reported: TotalsIn

    def domain(self) -> DayClose:
        r = self.reported
        totals = DayTotals(
            r.sales,
            r.sales_amount.domain(),
            r.returns,
            r.refunds.domain(),
            r.trade_ins,
            r.repairs,
            r.sales_tax.domain() if r.sales_tax else None,
        )
        return DayClose(self.client_txn_id, self.occurred_at, self.business_date, totals)


TransactionIn = Annotated[
    SaleIn | ReturnIn | TradeInIn | RepairIn | StockCountIn | DayCloseIn, Field(discriminator="type")
]
TAGS = ("sale", "return", "trade_in", "repair", "stock_count", "day_close")


class UploadIn(RequestBody):
    """Transactions of one till, in any order, possibly sent before: applied whole or not at all."""

    transactions: list[TransactionIn] = Field(min_length=1, max_length=MAX_UPLOAD)


def to_domain(items: list[TransactionIn]) -> tuple[Transaction, ...]:
    return tuple(item.domain() for item in items)


class OutcomeOut(BaseModel):
    client_txn_id: str
    kind: str
    result: Literal["recorded", "duplicate", "conflict", "waiting_for_sale"]
    canonical_id: str = Field(description="The sale, return, drop-off, count or close id in the events.")
    detail: str = ""


class UploadOut(BaseModel):
    shop_id: str
    received: int
    recorded: int
    duplicates: int
    conflicts: int
    waiting_for_sale: int
    outcomes: list[OutcomeOut]


def upload_out(shop_id: str, outcomes: list[Outcome]) -> UploadOut:
    counts = {r: sum(1 for o in outcomes if o.result == r) for r in ("recorded", "duplicate", "conflict")}
    return UploadOut(
        shop_id=shop_id,
        received=len(outcomes),
        recorded=counts["recorded"],
        duplicates=counts["duplicate"],
        conflicts=counts["conflict"],
        waiting_for_sale=sum(1 for o in outcomes if o.result == "waiting_for_sale"),
        outcomes=[OutcomeOut.model_validate(o.__dict__) for o in outcomes],
    )
