"""Sales and returns from every channel. A shop sale and an online sale are the same event."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from reloop_contracts.base import Contract, Event, UtcDatetime
from reloop_contracts.common import Channel, CustomerRef, ItemKind, LocationId, Sku, UnitId
from reloop_contracts.money import Market, Money, NonNegativeMoney
from reloop_contracts.registry import KEPT_FOR_EVER, TopicSpec
from reloop_contracts.voucher_codes import CodeHash

PaymentMethod = Literal["card", "cash", "voucher", "financing", "gift_card", "other"]


class SaleLine(Contract):
    """One line of a sale; each line goes to the service that owns its kind."""

    line_id: str = Field(min_length=1)
    kind: ItemKind
    sku: Sku
    unit_id: UnitId | None = Field(default=None, description="The exact unit, for a refurbished device.")
    quantity: int = Field(default=1, ge=1)
    unit_price: NonNegativeMoney
    discount: NonNegativeMoney | None = None
    service_code: str | None = Field(
        default=None, description="For a service line: which plan (e.g. repair_plan_monthly, insurance_12m)."
    )

    @model_validator(mode="after")
    def _a_device_line_names_one_unit(self) -> SaleLine:
        if self.kind == "refurbished_device" and (self.unit_id is None or self.quantity != 1):
            raise ValueError("a refurbished device line names exactly one unit (unit_id, quantity 1)")
        return self

    @property
    def amount(self) -> Money:
        gross = self.unit_price.times(self.quantity)
        return gross - self.discount if self.discount else gross


class PaymentLine(Contract):
    """How (part of) a sale was paid; store-credit vouchers are payment lines too."""

    method: PaymentMethod
    amount: NonNegativeMoney
    reference: str | None = Field(
        default=None,
        description="Provider authorisation or capture id; for a voucher, the hold it converts, if one was taken.",
    )
    voucher_code: str | None = Field(
        default=None,
        description="Deprecated: the code in clear, as events written before `voucher_code_hash` carried it. "
        "Producers send the hash and leave this null; consumers read the hash first.",
    )
    voucher_code_hash: CodeHash | None = Field(
        default=None, description="The voucher paid with, named by `voucher_code_hash(code)`; never the code."
    )


class SaleRecorded(Event):
    """A sale happened, in a shop or online: inventory and CRM apply it the same way."""

    OCCURRED_AT = "sold_at"

    sale_id: str = Field(min_length=1, description="Client-generated for a POS sale, the order id online.")
    channel: Channel
    location_id: LocationId = Field(description="The shop, or the warehouse that ships an online order.")
    market: Market
    sold_at: UtcDatetime = Field(description="When the sale happened, even if reported later (offline tills).")
    lines: list[SaleLine] = Field(min_length=1)
    payments: list[PaymentLine] = Field(default_factory=list)
    total: NonNegativeMoney
    customer: CustomerRef | None = None
    reservation_id: str | None = Field(default=None, description="The hold this sale consumes, if any.")
    pos_transaction_id: str | None = Field(default=None, description="The till's own id for the transaction.")

    @model_validator(mode="after")
    def _amounts_agree(self) -> SaleRecorded:
        """One currency throughout; the total is the sum of the lines and, when payments are
        given, what they add up to (vouchers included)."""
        currencies = {self.total.currency} | {line.unit_price.currency for line in self.lines}
        currencies |= {p.amount.currency for p in self.payments}
        if len(currencies) != 1:
            raise ValueError(f"a sale is in one currency, found {', '.join(sorted(currencies))}")
        lines_total = sum(line.amount.amount_minor for line in self.lines)
        if lines_total != self.total.amount_minor:
            raise ValueError(f"total {self.total.amount_minor} differs from the sum of the lines {lines_total}")
        if self.payments and sum(p.amount.amount_minor for p in self.payments) != self.total.amount_minor:
            raise ValueError("payments do not add up to the total")
        return self


class ReturnLine(Contract):
    line_id: str = Field(description="The sale line being returned.")
    kind: ItemKind
    sku: Sku
    unit_id: UnitId | None = None
    quantity: int = Field(default=1, ge=1)
    reason: str = ""
    refund: NonNegativeMoney


class ReturnRecorded(Event):
    """Goods came back (a shop counter or a parcel); devices wait for inspection before resale."""

    OCCURRED_AT = "returned_at"

    return_id: str = Field(min_length=1)
    sale_id: str = Field(min_length=1)
    channel: Channel
    location_id: LocationId
    market: Market
    returned_at: UtcDatetime
    lines: list[ReturnLine] = Field(min_length=1)
    customer: CustomerRef | None = None
    refunds: list[PaymentLine] = Field(
        default_factory=list,
        max_length=20,
        description="How the refund was paid back: to the card, in cash, or as store credit onto the voucher "
        "the sale was paid with (`voucher_code_hash`, `reference` = the voucher payment's hold, if any). Empty "
        "when the producer does not tell (events written before this field).",
    )

    @model_validator(mode="after")
    def _one_currency(self) -> ReturnRecorded:
        currencies = {line.refund.currency for line in self.lines}
        if len(currencies) != 1:
            raise ValueError("a return is refunded in one currency")
        if self.refunds:
            if {r.amount.currency for r in self.refunds} != currencies:
                raise ValueError("refunds are paid in the return's currency")
            owed = sum(line.refund.amount_minor for line in self.lines)
            if sum(r.amount.amount_minor for r in self.refunds) != owed:
                raise ValueError(f"refunds do not add up to the lines' refunds ({owed})")
            if any(r.method == "voucher" and r.voucher_code_hash is None for r in self.refunds):
                raise ValueError("a refund onto a voucher names it (voucher_code_hash)")
        return self


TRANSACTIONS = TopicSpec(
    name="sales.transactions.v1",
    # For ever: every sale and return is a record; inventory, CRM and warranties rebuild from it.
    retention_ms=KEPT_FOR_EVER,
    key="sale_id",
    events=(SaleRecorded, ReturnRecorded),
    producers=("orders", "store-sync"),
    consumers=("inventory", "crm", "trade-in", "repair"),
    description="Every sale and return of every channel, keyed by sale id so a return follows its sale.",
)
