"""The rules a till's transaction must meet before anything is recorded, each naming its field.

A transaction that breaks one is refused whole (and with it the batch it came in): nothing of
a malformed upload is applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from reloop_contracts.amounts import Money
from store_sync.domain.errors import InvalidTransaction
from store_sync.domain.idempotency import check_client_txn_id
from store_sync.domain.shops import Shop
from store_sync.domain.transactions import (
    DEVICE,
    IDENTIFIER_KINDS,
    ITEM_KINDS,
    PAYMENT_METHODS,
    PAYOUT_METHODS,
    VOUCHER,
    DayClose,
    Device,
    Payment,
    RepairDropOff,
    Return,
    Sale,
    StockCount,
    TradeIn,
    Transaction,
)

CLOCK_SKEW = timedelta(minutes=10)
"""A till clock may run a little fast; a transaction further in the future is a wrong clock."""


def checked(txn: Transaction, shop: Shop, now: datetime) -> Transaction:
    """The transaction with its time in UTC, once every rule holds for this shop."""
    check_client_txn_id(txn.client_txn_id)
    at = shop.to_utc(txn.occurred_at)
    if at > now + CLOCK_SKEW:
        raise InvalidTransaction(f"{at.isoformat()} is in the future; is the till's clock right?", field="occurred_at")
    match txn:
        case Sale():
            _check_sale(txn, shop.currency)
        case Return():
            _check_return(txn, shop.currency)
        case TradeIn():
            _check_device(txn.device)
            _same_currency(txn.payout, shop.currency, "payout")
            _one_of(txn.payout_method, PAYOUT_METHODS, "payout_method")
            if txn.trade_in_id is not None:
                _check_collected_trade_in(txn)
        case RepairDropOff():
            _check_device(txn.device)
            if not txn.issue.strip():
                raise InvalidTransaction("say what is wrong with the device", field="issue")
            if txn.quote is not None:
                _same_currency(txn.quote, shop.currency, "quote")
        case StockCount():
            _check_count(txn)
        case DayClose():
            _check_close(txn, shop, at)
    return dataclasses.replace(txn, occurred_at=at)


def _check_sale(sale: Sale, currency: str) -> None:
    if not sale.lines:
        raise InvalidTransaction("a sale has at least one line", field="lines")
    _unique((line.line_id for line in sale.lines), "lines")
    for n, line in enumerate(sale.lines):
        _one_of(line.kind, ITEM_KINDS, f"lines.{n}.kind")
        _check_quantity(line.kind, line.quantity, line.unit_id, f"lines.{n}")
        _same_currency(line.unit_price, currency, f"lines.{n}.unit_price")
        if line.discount is not None:
            _same_currency(line.discount, currency, f"lines.{n}.discount")
            if line.discount.amount_minor > line.unit_price.times(line.quantity).amount_minor:
                raise InvalidTransaction("a discount is at most the line's price", field=f"lines.{n}.discount")
    _same_currency(sale.total, currency, "total")
    lines_total = sum(line.amount.amount_minor for line in sale.lines)
    if sale.total.amount_minor != lines_total:
        raise InvalidTransaction(
            f"total {sale.total.amount_minor} differs from the sum of the lines {lines_total}", field="total"
        )
    _check_tenders(sale.payments, currency, "payments", "payment")
    if sale.payments and sum(p.amount.amount_minor for p in sale.payments) != lines_total:
        raise InvalidTransaction("the payments do not add up to the total", field="payments")


def _check_tenders(tenders: tuple[Payment, ...], currency: str, field: str, noun: str) -> None:
    """Payments of a sale and refunds of a return: known methods, the shop's currency, and a code
    only on a voucher line."""
    for n, tender in enumerate(tenders):
        _one_of(tender.method, PAYMENT_METHODS, f"{field}.{n}.method")
        _same_currency(tender.amount, currency, f"{field}.{n}.amount")
        if tender.method != VOUCHER and tender.voucher_code_hash is not None:
            raise InvalidTransaction(f"only a voucher {noun} names a voucher code", field=f"{field}.{n}.voucher_code")


def _check_collected_trade_in(trade_in: TradeIn) -> None:
    # The customer was quoted online and is paid by trade-in after inspection: a shop that paid
    # too would pay the same device twice.
    if not trade_in.trade_in_id or len(trade_in.trade_in_id) > 64:
        raise InvalidTransaction("a trade-in id is 1 to 64 characters", field="trade_in_id")
    if trade_in.payout.amount_minor != 0:
        raise InvalidTransaction(
            "a trade-in quoted online is only collected here: the shop pays nothing (payout 0), trade-in pays",
            field="payout.amount_minor",
        )


def _check_return(ret: Return, currency: str) -> None:
    if (ret.sale_txn_id is None) == (ret.sale_id is None):
        raise InvalidTransaction("name the sale: this till's sale_txn_id, or another channel's sale_id", field="sale")
    if ret.sale_txn_id is not None:
        check_client_txn_id(ret.sale_txn_id, field="sale_txn_id")
    if not ret.lines:
        raise InvalidTransaction("a return has at least one line", field="lines")
    _unique((line.line_id for line in ret.lines), "lines")
    for n, line in enumerate(ret.lines):
        _one_of(line.kind, ITEM_KINDS, f"lines.{n}.kind")
        _check_quantity(line.kind, line.quantity, line.unit_id, f"lines.{n}")
        _same_currency(line.refund, currency, f"lines.{n}.refund")
    if ret.refunds is not None:
        _check_refunds(ret.refunds, ret, currency)


def _check_refunds(refunds: tuple[Payment, ...], ret: Return, currency: str) -> None:
    _check_tenders(refunds, currency, "refunds", "refund")
    for n, refund in enumerate(refunds):
        if refund.method != VOUCHER:
            continue
        # Store credit goes back onto a voucher trade-in must find: by its code's hash.
        if refund.voucher_code_hash is None:
            raise InvalidTransaction("a refund onto a voucher names its code", field=f"refunds.{n}.voucher_code")
        if refund.reference is not None:
            check_client_txn_id(refund.reference, field=f"refunds.{n}.reference")
    owed = sum(line.refund.amount_minor for line in ret.lines)
    if sum(r.amount.amount_minor for r in refunds) != owed:
        raise InvalidTransaction(f"the refunds do not add up to the lines' refunds ({owed})", field="refunds")


def _check_quantity(kind: str, quantity: int, unit_id: str | None, field: str) -> None:
    if quantity < 1:
        raise InvalidTransaction("a quantity is at least 1", field=f"{field}.quantity")
    if kind == DEVICE and (unit_id is None or quantity != 1):
        raise InvalidTransaction("a refurbished device line names exactly one unit", field=f"{field}.unit_id")


def _check_device(device: Device) -> None:
    _one_of(device.identifier_kind, IDENTIFIER_KINDS, "device.identifier_kind")
    value = device.identifier
    if not 4 <= len(value) <= 64:
        raise InvalidTransaction("an identifier has 4 to 64 characters", field="device.identifier")
    if device.identifier_kind == "imei" and not luhn_valid_imei(value):
        raise InvalidTransaction(f"'{value}' is not a valid IMEI (15 digits, Luhn)", field="device.identifier")


def luhn_valid_imei(value: str) -> bool:
    if len(value) != 15 or not value.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(value)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _check_count(count: StockCount) -> None:
    _unique((sku for sku, _ in count.accessories), "accessories")
    for n, (_, counted) in enumerate(count.accessories):
        if counted < 0:
            raise InvalidTransaction("a count is never negative", field=f"accessories.{n}.counted")
    if not count.accessories and count.units_present is None:
        raise InvalidTransaction("a stock count counts accessories, devices or both", field="accessories")


def _check_close(close: DayClose, shop: Shop, at: datetime) -> None:
    if close.business_date > shop.business_date(at):
        raise InvalidTransaction("a day is closed on or after that day", field="business_date")
    reported = close.reported
    for name in ("sales_amount", "refunds", "sales_tax"):
        amount = getattr(reported, name)
        if amount is not None:
            _same_currency(amount, shop.currency, f"reported.{name}")


def _same_currency(amount: Money, currency: str, field: str) -> None:
    if amount.currency != currency:
        raise InvalidTransaction(f"the shop sells in {currency}, not {amount.currency}", field=f"{field}.currency")
    if amount.amount_minor < 0:
        raise InvalidTransaction("an amount is never negative", field=f"{field}.amount_minor")


def _one_of(value: str, allowed: tuple[str, ...], field: str) -> None:
    if value not in allowed:
        raise InvalidTransaction(f"'{value}' is not one of {', '.join(allowed)}", field=field)


def _unique(values: Iterable[str], field: str) -> None:
    seen: set[str] = set()
    for n, value in enumerate(values):
        if value in seen:
            raise InvalidTransaction(f"'{value}' appears twice", field=f"{field}.{n}")
        seen.add(value)
