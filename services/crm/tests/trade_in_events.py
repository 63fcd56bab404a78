"""Trade-in and voucher events as the trade-in service publishes them, for CRM's tests (a plain
module, no fixtures)."""

from __future__ import annotations

from datetime import datetime, timedelta

from reloop_contracts import Event, Money, NonNegativeMoney, PositiveMoney
from reloop_contracts.inventory import DeviceIdentifier
from reloop_contracts.trade_in import (
    ConditionAnswers,
    CounterOfferAnswered,
    CounterOfferMade,
    DeclaredCondition,
    DeviceInspected,
    DeviceReceived,
    QuotedDevice,
    ShopGradingChecked,
    ShopTradeInRecorded,
    TradeInAccepted,
    TradeInOnHold,
    TradeInPaid,
    TradeInQuoted,
    TradeInReleased,
    VoucherIssued,
    VoucherRedeemed,
)
from services.crm.tests.support import new_id


def eur(amount_minor: int) -> Money:
    return Money(amount_minor=amount_minor, currency="EUR")


def positive(amount_minor: int) -> PositiveMoney:
    return PositiveMoney(amount_minor=amount_minor, currency="EUR")


def non_negative(amount_minor: int) -> NonNegativeMoney:
    return NonNegativeMoney(amount_minor=amount_minor, currency="EUR")


def quoted(trade_in_id: str, customer_id: str | None, at: datetime, *, offered: int = 20_000) -> TradeInQuoted:
    answers = ConditionAnswers(
        screen="light_scratches",
        body="flawless",
        battery_health_pct=91,
        powers_on=True,
        functional_checks_passed=True,
        activation_lock_removed=True,
    )
    return TradeInQuoted(
        trade_in_id=trade_in_id,
        quote_id=trade_in_id,
        market="FR",
        customer_id=customer_id,
        channel="online",
        device=QuotedDevice(
            model_family="IPH13",
            storage_gb=128,
            category="smartphone",
            declared_condition=DeclaredCondition(grade="excellent", answers=answers),
        ),
        offered=non_negative(offered),
        voucher_bonus_bps=1000,
        expires_at=at + timedelta(days=21),
        quoted_at=at,
    )


def issued(
    voucher_id: str,
    at: datetime,
    amount_minor: int,
    *,
    market: str = "FR",
    customer_id: str | None = None,
    trade_in_id: str | None = None,
) -> VoucherIssued:
    return VoucherIssued(
        voucher_id=voucher_id,
        trade_in_id=trade_in_id,
        customer_id=customer_id,
        market=market,
        amount=positive(amount_minor),
        code_hint="AB7K",
        expires_at=at + timedelta(days=730),
        issued_at=at,
    )


def redeemed(
    voucher_id: str, sale_id: str, at: datetime, amount_minor: int, basket_minor: int, shop_id: str | None
) -> VoucherRedeemed:
    return VoucherRedeemed(
        voucher_id=voucher_id,
        amount=positive(amount_minor),
        sale_id=sale_id,
        channel="online" if shop_id is None else "own_shop",
        shop_id=shop_id,
        basket=non_negative(basket_minor),
        at=at,
    )


def shop_trade_in(trade_in_id: str, shop_id: str, at: datetime, paid_minor: int = 15_000) -> ShopTradeInRecorded:
    return ShopTradeInRecorded(
        trade_in_id=trade_in_id,
        drop_off_id=f"drop-{trade_in_id}",
        shop_id=shop_id,
        paid=non_negative(paid_minor),
        payout_method="store_credit",
        recorded_at=at,
    )


def grading_checked(trade_in_id: str, shop_id: str, accurate: bool, at: datetime) -> ShopGradingChecked:
    return ShopGradingChecked(
        trade_in_id=trade_in_id,
        shop_id=shop_id,
        shop_grade="excellent",
        centre_grade="excellent" if accurate else "good",
        accurate=accurate,
        checked_at=at,
    )


def a_trade_in_paid_in_a_voucher_spent_in_a_shop(account: str, t0: datetime) -> list[Event]:
    """Quoted online, accepted, received, held and cleared, inspected worse than declared, a
    counter-offer accepted, paid in a voucher, part of which is spent in a shop."""
    trade_in_id, voucher_id = new_id("ti"), new_id("v")
    day = timedelta(days=1)
    return [
        quoted(trade_in_id, account, t0),
        TradeInAccepted(
            trade_in_id=trade_in_id, payout_method="voucher", shipment_reference="COLIS-1", accepted_at=t0 + day
        ),
        DeviceReceived(
            trade_in_id=trade_in_id,
            location_id="centre-1",
            identifier=DeviceIdentifier(kind="serial", value="F2LXK0Q1"),
            received_at=t0 + 3 * day,
        ),
        TradeInOnHold(
            trade_in_id=trade_in_id, reason="activation_lock", detail="Find My is on", held_at=t0 + 3 * day + day / 24
        ),
        TradeInReleased(trade_in_id=trade_in_id, released_by=account, released_at=t0 + 4 * day),
        DeviceInspected(
            trade_in_id=trade_in_id,
            grade="good",
            findings=["deep scratch on the back"],
            inspected_by="staff-1",
            worse_than_declared=True,
            inspected_at=t0 + 5 * day,
        ),
        CounterOfferMade(
            trade_in_id=trade_in_id,
            offered=non_negative(15_000),
            findings=["deep scratch on the back"],
            answer_by=t0 + 12 * day,
            made_at=t0 + 5 * day + day / 24,
        ),
        CounterOfferAnswered(trade_in_id=trade_in_id, accepted=True, by_default=False, answered_at=t0 + 6 * day),
        TradeInPaid(
            trade_in_id=trade_in_id,
            method="voucher",
            amount=non_negative(16_500),
            voucher_id=voucher_id,
            paid_at=t0 + 6 * day + day / 24,
        ),
        issued(voucher_id, t0 + 6 * day + day / 24, 16_500, customer_id=account, trade_in_id=trade_in_id),
        redeemed(voucher_id, new_id("sale"), t0 + 20 * day, 10_000, 31_000, "shop-paris"),
    ]
