"""The HTTP API's request and response bodies, and how domain objects are shown in them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictBool, StrictInt

from orders.domain.cart import Cart
from orders.domain.customer import ContactDetails
from orders.domain.lines import ReturnRequest
from orders.domain.model import Order
from orders.domain.vouchers import MAX_VOUCHERS, VoucherPayment, VoucherToApply
from orders.service_layer.ports import OrderSummary, StorefrontSku
from reloop_contracts.amounts import Money, total
from reloop_shared.http.requests import RequestBody

MarketCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
SkuCode = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9._-]*$")]
Identifier = Annotated[str, Field(min_length=1, max_length=64)]


class CartIn(RequestBody):
    """The customer is the one signed in (their token's subject), never a field of the body: one
    sent is refused as unknown."""

    market: MarketCode


class CartLineIn(RequestBody):
    sku: SkuCode
    quantity: StrictInt = Field(ge=1, le=99, description="A refurbished device line is always 1.")
    kind: Literal["refurbished_device", "accessory"]


class PaymentIn(RequestBody):
    method: Literal["card"]
    token: str = Field(min_length=1, max_length=255, description="The card provider's single-use token.")


class MoneyIn(RequestBody):
    amount_minor: StrictInt = Field(ge=1, le=2**63 - 1, description="Minor units (cents).")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="The cart's currency.")

    def value(self) -> Money:
        return Money(self.amount_minor, self.currency)


class VoucherIn(RequestBody):
    """A store-credit voucher paying part of the order. The code is hashed as soon as it is read:
    orders keeps and sends on its SHA-256 and shows its last four characters, never the code."""

    code: str = Field(
        min_length=8,
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]*$",
        description="As printed (TRD-7KQ2-M9WD-4HTZ-R8CE), in any case, with or without dashes and spaces.",
    )
    amount: MoneyIn = Field(description="What the voucher pays of the order, in the cart's currency.")

    def voucher(self) -> VoucherToApply:
        return VoucherToApply.typed(self.code, self.amount.value())


class ConsentIn(RequestBody):
    marketing: StrictBool = Field(default=False, description="May reloop send the customer offers.")


class ContactIn(RequestBody):
    """The customer's contact details. Personal data: sealed under the customer's own key before
    orders keeps them or sends them on, never stored or published in clear."""

    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: Annotated[str, Field(max_length=32, pattern=r"^\+?[0-9 ().-]{4,32}$")] | None = None
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    delivery_postal_code: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{0,11}$")] | None = None
    consent: ConsentIn | None = Field(
        default=None,
        description="What the customer agreed to at checkout. Leave it out when they were not asked: a consent "
        "they gave before (online or in a shop) then stands.",
    )

    def details(self) -> ContactDetails:
        marketing = self.consent.marketing if self.consent is not None else None
        return ContactDetails(self.email, self.phone, self.name, self.delivery_postal_code, marketing)


class CheckoutIn(RequestBody):
    fulfilment: Literal["ship", "click_and_collect"]
    pickup_location_id: Identifier | None = Field(default=None, description="The shop, for click-and-collect.")
    payment: PaymentIn | None = Field(
        default=None, description="The card paying what the vouchers do not; none when they pay the whole order."
    )
    contact: ContactIn | None = Field(
        default=None, description="How to reach the customer; without it the sale names only their account."
    )
    vouchers: list[VoucherIn] = Field(
        default_factory=list,
        max_length=MAX_VOUCHERS,
        description="Store-credit vouchers, each once, together worth no more than the order; trade-in holds "
        "each amount before the card is charged for the rest.",
    )


class SubstituteIn(RequestBody):
    line_id: Identifier
    unit_id: Identifier | None = Field(default=None, description="Which offered unit; the first offered if unset.")


class FulfilIn(RequestBody):
    tracking_reference: str | None = Field(default=None, min_length=1, max_length=100)


class ReturnIn(RequestBody):
    line_ids: list[Identifier] = Field(min_length=1, max_length=50)
    reason: str = Field(min_length=1, max_length=500)


class MoneyOut(BaseModel):
    amount_minor: int
    currency: str


def money_out(amount: Money) -> MoneyOut:
    return MoneyOut(amount_minor=amount.amount_minor, currency=amount.currency)


def money(amount: Money | None) -> MoneyOut | None:
    return money_out(amount) if amount is not None else None


class StorefrontSkuOut(BaseModel):
    sku: str
    market: str
    kind: str | None
    title: str | None
    price: MoneyOut | None
    discontinued: bool
    available: int | None = Field(description="Units sellable now in the market; null before inventory reported.")


def storefront_sku(view: StorefrontSku) -> StorefrontSkuOut:
    return StorefrontSkuOut(**{**view.__dict__, "price": money(view.price)})


class CartLineOut(BaseModel):
    line_id: str
    sku: str
    kind: str
    quantity: int
    unit_price: MoneyOut | None
    amount: MoneyOut | None
    sellable: bool
    available: int | None


class CartOut(BaseModel):
    cart_id: str
    market: str
    customer_id: str
    status: str
    order_id: str | None
    lines: list[CartLineOut]
    total: MoneyOut | None


def cart_out(cart: Cart, skus: dict[str, StorefrontSku]) -> CartOut:
    lines, amounts = [], []
    for line in cart.lines:
        view = skus.get(line.sku)
        price = view.price if view is not None and not view.discontinued else None
        amount = price.times(line.quantity) if price is not None else None
        if amount is not None:
            amounts.append(amount)
        lines.append(
            CartLineOut(
                line_id=line.line_id,
                sku=line.sku,
                kind=line.kind,
                quantity=line.quantity,
                unit_price=money(price),
                amount=money(amount),
                sellable=price is not None,
                available=view.available if view is not None else None,
            )
        )
    cart_total = total(amounts, amounts[0].currency) if amounts else None
    return CartOut(
        cart_id=cart.cart_id,
        market=cart.market,
        customer_id=cart.customer_id,
        status=cart.status.value,
        order_id=cart.order_id,
        lines=lines,
        total=money(cart_total),
    )


class CheckoutOut(BaseModel):
    order_id: str
    status: str
    reservation_id: str


class OrderLineOut(BaseModel):
    line_id: str
    sku: str
    kind: str
    quantity: int
    unit_price: MoneyOut
    amount: MoneyOut
    unit_id: str | None
    location_id: str | None
    status: str


class SubstituteOut(BaseModel):
    line_id: str
    sku: str
    unit_id: str | None
    location_id: str


class PaymentOut(BaseModel):
    payment_id: str
    method: Literal["card"] = "card"
    kind: str
    amount: MoneyOut
    reference: str | None
    at: datetime


class VoucherPaymentOut(BaseModel):
    """A voucher paying the order: never its code, only its last four characters."""

    hint: str = Field(description="The last four characters of the code, to recognise it by.")
    amount: MoneyOut
    status: Literal["requested", "held", "refused"] = Field(description="Where trade-in's hold of it stands.")
    refusal: str | None = Field(description="Why trade-in refused to hold it, if it did.")
    paid: MoneyOut | None = Field(description="What the sale took of it; null until the order is placed.")
    refunded: MoneyOut = Field(description="Store credit refunds of the order's goods put back on it so far.")


def voucher_payment_out(voucher: VoucherPayment) -> VoucherPaymentOut:
    return VoucherPaymentOut(
        hint=voucher.hint,
        amount=money_out(voucher.amount),
        status=voucher.state.value,
        refusal=voucher.refusal,
        paid=money(voucher.paid),
        refunded=money_out(voucher.refunded or Money.zero(voucher.amount.currency)),
    )


class ReturnOut(BaseModel):
    return_id: str
    line_ids: list[str]
    reason: str
    status: str
    refund: MoneyOut | None = Field(description="What the return was refunded; null until the parcel is back.")
    store_credit: MoneyOut | None = Field(description="Of the refund, what went back onto the order's vouchers.")
    card: MoneyOut | None = Field(description="Of the refund, what went back to the card.")
    requested_at: datetime
    received_at: datetime | None


def return_out(request: ReturnRequest) -> ReturnOut:
    return ReturnOut(
        return_id=request.return_id,
        line_ids=list(request.line_ids),
        reason=request.reason,
        status=request.status.value,
        refund=money(request.refund),
        store_credit=money(request.store_credit),
        card=money(request.card_refund),
        requested_at=request.requested_at,
        received_at=request.received_at,
    )


class OrderSummaryOut(BaseModel):
    order_id: str
    status: str
    market: str
    created_at: datetime
    placed_at: datetime | None = Field(description="Null until the payment is captured and the order placed.")
    total: MoneyOut = Field(description="What its active lines come to (dropped and returned lines left out).")


def order_summary_out(summary: OrderSummary) -> OrderSummaryOut:
    return OrderSummaryOut(**{**summary.__dict__, "total": money_out(summary.total)})


class TimestampsOut(BaseModel):
    created_at: datetime
    placed_at: datetime | None
    cancelled_at: datetime | None
    fulfilled_at: datetime | None
    delivered_at: datetime | None
    withdrawal_deadline: datetime | None
    updated_at: datetime | None


class OrderOut(BaseModel):
    order_id: str
    cart_id: str
    customer_id: str
    market: str
    status: str
    fulfilment: str
    pickup_location_id: str | None
    location_id: str | None = Field(description="Where the stock was reserved: the sale's location.")
    reservation_id: str
    lines: list[OrderLineOut]
    unavailable_lines: list[str]
    substitutes: list[SubstituteOut]
    payments: list[PaymentOut]
    vouchers: list[VoucherPaymentOut] = Field(description="Store-credit vouchers paying part of the order.")
    returns: list[ReturnOut]
    total: MoneyOut
    stock_committed: bool = Field(description="Inventory applied the sale (SaleAllocated).")
    cancel_reason: str | None
    tracking_reference: str | None
    timestamps: TimestampsOut


def order_out(order: Order) -> OrderOut:
    return OrderOut(
        order_id=order.order_id,
        cart_id=order.cart_id,
        customer_id=order.customer_id,
        market=order.market,
        status=order.status.value,
        fulfilment=order.fulfilment,
        pickup_location_id=order.pickup_location_id,
        location_id=order.location_id,
        reservation_id=order.reservation_id,
        lines=[
            OrderLineOut(
                **{k: v for k, v in line.__dict__.items() if k not in ("unit_price", "status")},
                unit_price=money_out(line.unit_price),
                amount=money_out(line.amount),
                status=line.status.value,
            )
            for line in order.lines
        ],
        unavailable_lines=list(order.unavailable_lines),
        substitutes=[SubstituteOut(**s.__dict__) for s in order.substitutes],
        payments=[
            PaymentOut(
                payment_id=p.payment_id,
                kind=p.kind.value,
                amount=money_out(p.amount),
                reference=p.reference,
                at=p.at,
            )
            for p in order.payments
        ],
        vouchers=[voucher_payment_out(v) for v in order.vouchers],
        returns=[return_out(r) for r in order.returns],
        total=money_out(order.total),
        stock_committed=order.stock_committed,
        cancel_reason=order.cancel_reason,
        tracking_reference=order.tracking_reference,
        timestamps=TimestampsOut(
            created_at=order.created_at,
            placed_at=order.placed_at,
            cancelled_at=order.cancelled_at,
            fulfilled_at=order.fulfilled_at,
            delivered_at=order.delivered_at,
            withdrawal_deadline=order.withdrawal_deadline,
            updated_at=order.updated_at,
        ),
    )
