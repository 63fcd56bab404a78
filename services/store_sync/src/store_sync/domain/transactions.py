"""What a till sends: sales, returns, trade-in and repair drop-offs, stock counts, day closes.

Each carries the till's own id (`client_txn_id`) and when it happened (`occurred_at`, UTC once
checked; a till may send its local time, see `Shop.to_utc`). Amounts are what the customer paid
or was paid, tax included, in the shop's currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, TypeAlias

from reloop_contracts.amounts import Money
from store_sync.domain.days import DayTotals
from store_sync.domain.policy import TillCustomer

DEVICE = "refurbished_device"
ACCESSORY = "accessory"
SERVICE = "service"
ITEM_KINDS = (DEVICE, ACCESSORY, SERVICE)
VOUCHER = "voucher"
PAYMENT_METHODS = ("card", "cash", VOUCHER, "financing", "gift_card", "other")
PAYOUT_METHODS = ("cash", "store_credit", "bank_transfer")
IDENTIFIER_KINDS = ("imei", "serial")


@dataclass(frozen=True)
class SaleLine:
    line_id: str
    kind: str
    sku: str
    unit_price: Money
    quantity: int = 1
    unit_id: str | None = None
    discount: Money | None = None
    service_code: str | None = None

    @property
    def amount(self) -> Money:
        gross = self.unit_price.times(self.quantity)
        return gross - self.discount if self.discount else gross


@dataclass(frozen=True)
class Payment:
    """How (part of) a sale was paid, or a return paid back. A voucher is named by its code's hash,
    never by the code (hashed at the edge), and its `reference` is the till's id of the hold it
    converts (for a refund: the hold of the sale's voucher payment), if any."""

    method: str
    amount: Money
    reference: str | None = None
    voucher_code_hash: str | None = None


@dataclass(frozen=True)
class Sale:
    KIND: ClassVar[str] = "sale"

    client_txn_id: str
    occurred_at: datetime
    lines: tuple[SaleLine, ...]
    total: Money
    payments: tuple[Payment, ...] = ()
    customer: TillCustomer | None = None
    reservation_id: str | None = None


@dataclass(frozen=True)
class ReturnLine:
    line_id: str
    kind: str
    sku: str
    refund: Money
    quantity: int = 1
    unit_id: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class Return:
    """Goods brought back to the counter. The sale is this shop's till transaction
    (`sale_txn_id`) or a sale of another channel (`sale_id`, an online order id)."""

    KIND: ClassVar[str] = "return"

    client_txn_id: str
    occurred_at: datetime
    lines: tuple[ReturnLine, ...]
    sale_txn_id: str | None = None
    sale_id: str | None = None
    customer: TillCustomer | None = None
    refunds: tuple[Payment, ...] | None = None
    """How the refund was paid back (card, cash, store credit onto the sale's voucher...); None when
    the till did not say. None, not empty, so a return sent before tills could say it keeps its digest."""

    @property
    def refund(self) -> Money:
        amounts = [line.refund for line in self.lines]
        return sum(amounts[1:], amounts[0])


@dataclass(frozen=True)
class Device:
    identifier_kind: str
    identifier: str
    sku: str | None = None
    description: str = ""


@dataclass(frozen=True)
class TradeIn:
    KIND: ClassVar[str] = "trade_in"

    client_txn_id: str
    occurred_at: datetime
    device: Device
    payout: Money
    payout_method: str
    condition: str = ""
    customer: TillCustomer | None = None
    trade_in_id: str | None = None
    """A trade-in quoted online that the customer brought in: the shop only collects the device
    (payout zero) and trade-in pays once the centre has inspected it."""


@dataclass(frozen=True)
class RepairDropOff:
    KIND: ClassVar[str] = "repair"

    client_txn_id: str
    occurred_at: datetime
    device: Device
    issue: str
    quote: Money | None = None
    customer: TillCustomer | None = None


@dataclass(frozen=True)
class StockCount:
    KIND: ClassVar[str] = "stock_count"

    client_txn_id: str
    occurred_at: datetime
    reason: str
    accessories: tuple[tuple[str, int], ...] = ()
    units_present: tuple[str, ...] | None = None


@dataclass(frozen=True)
class DayClose:
    """The till's end-of-day (Z) report: its own totals for one local business day."""

    KIND: ClassVar[str] = "day_close"

    client_txn_id: str
    occurred_at: datetime
    business_date: date
    reported: DayTotals


Transaction: TypeAlias = Sale | Return | TradeIn | RepairDropOff | StockCount | DayClose
WithCustomer: TypeAlias = Sale | Return | TradeIn | RepairDropOff

KIND_ORDER = {"sale": 0, "return": 1, "trade_in": 2, "repair": 3, "stock_count": 4, "day_close": 5}
"""At the same instant a sale comes before a return (which may refer to it) and a close comes last."""
