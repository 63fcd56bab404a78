"""Contracts <-> the trade-in's domain, in one place: domain events of trade-ins and vouchers out
to `trade-in.trade-ins.v1` and `trade-in.vouchers.v1`; shop drop-offs and voucher hold requests in
as commands."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from reloop_contracts import Event, NonNegativeMoney, PositiveMoney, store
from reloop_contracts import trade_in as contract
from reloop_contracts.inventory import DeviceIdentifier as WireIdentifier
from trade_in.domain import commands, events, vouchers
from trade_in.domain.devices import DeviceIdentifier, identify


def wire_identifier(identifier: DeviceIdentifier) -> WireIdentifier:
    return WireIdentifier(kind=identifier.kind, value=identifier.value)


def _quoted(event: events.TradeInQuoted) -> contract.TradeInQuoted:
    device, declared = event.device, event.declared
    answers = declared.answers
    return contract.TradeInQuoted(
        trade_in_id=event.trade_in_id,
        quote_id=event.trade_in_id,
        market=event.market,
        customer_id=event.customer_id,
        channel=event.channel,
        shop_id=event.shop_id,
        device=contract.QuotedDevice(
            model_family=device.model_family,
            storage_gb=device.storage_gb,
            category=device.category,
            identifier=wire_identifier(device.identifier) if device.identifier else None,
            declared_condition=contract.DeclaredCondition(
                grade=declared.grade,
                answers=contract.ConditionAnswers(
                    screen=answers.screen,
                    body=answers.body,
                    battery_health_pct=answers.battery_health_pct,
                    powers_on=answers.powers_on,
                    functional_checks_passed=answers.functional_checks_passed,
                    activation_lock_removed=answers.activation_lock_removed,
                ),
            ),
        ),
        offered=NonNegativeMoney.of(event.offered),
        voucher_bonus_bps=event.voucher_bonus_bps,
        expires_at=event.expires_at,
        quoted_at=event.at,
    )


def trade_in_to_contract(event: events.TradeInEvent) -> Event:
    match event:
        case events.TradeInQuoted():
            return _quoted(event)
        case events.TradeInAccepted():
            return contract.TradeInAccepted(
                trade_in_id=event.trade_in_id,
                payout_method=event.payout_method,
                shipment_reference=event.shipment_reference,
                accepted_at=event.at,
            )
        case events.TradeInShipped():
            return contract.TradeInShipped(
                trade_in_id=event.trade_in_id,
                shipment_reference=event.shipment_reference,
                shop_id=event.shop_id,
                drop_off_id=event.drop_off_id,
                shipped_at=event.at,
            )
        case events.DeviceReceived():
            return contract.DeviceReceived(
                trade_in_id=event.trade_in_id,
                location_id=event.location_id,
                identifier=wire_identifier(event.identifier),
                tac=event.identifier.tac,
                received_at=event.at,
            )
        case events.TradeInOnHold():
            return contract.TradeInOnHold(
                trade_in_id=event.trade_in_id, reason=event.reason, detail=event.detail, held_at=event.at
            )
        case events.TradeInReleased():
            return contract.TradeInReleased(
                trade_in_id=event.trade_in_id, released_by=event.released_by, released_at=event.at
            )
        case events.DeviceInspected():
            return contract.DeviceInspected(
                trade_in_id=event.trade_in_id,
                grade=event.grade,
                findings=list(event.findings),
                inspected_by=event.inspected_by,
                worse_than_declared=event.worse_than_declared,
                inspected_at=event.at,
            )
        case events.CounterOfferMade():
            return contract.CounterOfferMade(
                trade_in_id=event.trade_in_id,
                offered=NonNegativeMoney.of(event.offered),
                findings=list(event.findings),
                answer_by=event.answer_by,
                made_at=event.at,
            )
        case events.CounterOfferAnswered():
            return contract.CounterOfferAnswered(
                trade_in_id=event.trade_in_id,
                accepted=event.accepted,
                by_default=event.by_default,
                answered_at=event.at,
            )
        case events.TradeInPaid():
            return contract.TradeInPaid(
                trade_in_id=event.trade_in_id,
                method=event.method,
                amount=NonNegativeMoney.of(event.amount),
                voucher_id=event.voucher_id,
                payout_reference=event.payout_reference,
                paid_at=event.at,
            )
        case events.DeviceReturned():
            return contract.DeviceReturned(trade_in_id=event.trade_in_id, reason=event.reason, returned_at=event.at)
        case events.TradeInExpired():
            return contract.TradeInExpired(trade_in_id=event.trade_in_id, expired_at=event.at)
        case events.TradeInCancelled():
            return contract.TradeInCancelled(trade_in_id=event.trade_in_id, by=event.by, cancelled_at=event.at)
        case events.ShopTradeInRecorded():
            return contract.ShopTradeInRecorded(
                trade_in_id=event.trade_in_id,
                drop_off_id=event.drop_off_id,
                shop_id=event.shop_id,
                paid=NonNegativeMoney.of(event.paid),
                payout_method=event.payout_method,
                recorded_at=event.at,
            )
        case events.ShopGradingChecked():
            return contract.ShopGradingChecked(
                trade_in_id=event.trade_in_id,
                shop_id=event.shop_id,
                shop_grade=event.shop_grade,
                centre_grade=event.centre_grade,
                accurate=event.accurate,
                checked_at=event.at,
            )
        case events.TradeInUnitReady():
            return contract.TradeInUnitReady(
                trade_in_id=event.trade_in_id,
                unit_id=event.unit_id,
                sku=event.sku,
                identifier=wire_identifier(event.identifier),
                grade=event.grade,
                acquired_for=NonNegativeMoney.of(event.acquired_for),
                ready_at=event.at,
            )


def voucher_to_contract(event: vouchers.VoucherEvent) -> Event:
    match event:
        case vouchers.VoucherIssued():
            return contract.VoucherIssued(
                voucher_id=event.voucher_id,
                trade_in_id=event.trade_in_id,
                customer_id=event.customer_id,
                market=event.market,
                amount=PositiveMoney.of(event.amount),
                code_hint=event.code_hint,
                expires_at=event.expires_at,
                issued_at=event.at,
            )
        case vouchers.VoucherHeld():
            return contract.VoucherHeld(
                voucher_id=event.voucher_id,
                hold_id=event.hold_id,
                amount=PositiveMoney.of(event.amount),
                held_until=event.held_until,
                requested_by=event.requested_by,
                at=event.at,
            )
        case vouchers.VoucherHoldRefused():
            return contract.VoucherHoldRefused(
                hold_id=event.hold_id,
                voucher_id=event.voucher_id,
                reason=event.reason,
                requested_by=event.requested_by,
                at=event.at,
            )
        case vouchers.VoucherReleased():
            return contract.VoucherReleased(
                voucher_id=event.voucher_id,
                hold_id=event.hold_id,
                amount=PositiveMoney.of(event.amount),
                reason=event.reason,
                at=event.at,
            )
        case vouchers.VoucherRedeemed():
            return contract.VoucherRedeemed(
                voucher_id=event.voucher_id,
                amount=PositiveMoney.of(event.amount),
                sale_id=event.sale_id,
                channel=event.channel,
                shop_id=event.shop_id,
                basket=NonNegativeMoney.of(event.basket),
                hold_id=event.hold_id,
                at=event.at,
            )
        case vouchers.VoucherRefunded():
            return contract.VoucherRefunded(
                voucher_id=event.voucher_id,
                amount=PositiveMoney.of(event.amount),
                sale_id=event.sale_id,
                return_id=event.return_id,
                channel=event.channel,
                shop_id=event.shop_id,
                expires_at=event.expires_at,
                at=event.at,
            )
        case vouchers.VoucherOverdrawn():
            return contract.VoucherOverdrawn(
                voucher_id=event.voucher_id,
                sale_id=event.sale_id,
                wanted=PositiveMoney.of(event.wanted),
                redeemed=NonNegativeMoney.of(event.redeemed),
                shortfall=PositiveMoney.of(event.shortfall),
                channel=event.channel,
                shop_id=event.shop_id,
                reason=event.reason,
                at=event.at,
            )
        case vouchers.VoucherExpired():
            return contract.VoucherExpired(
                voucher_id=event.voucher_id, remaining=NonNegativeMoney.of(event.remaining), at=event.at
            )


_VOUCHER_EVENTS = (
    vouchers.VoucherIssued,
    vouchers.VoucherHeld,
    vouchers.VoucherHoldRefused,
    vouchers.VoucherReleased,
    vouchers.VoucherRedeemed,
    vouchers.VoucherRefunded,
    vouchers.VoucherOverdrawn,
    vouchers.VoucherExpired,
)


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    """The unit of work's translator: each domain event is published as one contract event."""
    if isinstance(event, _VOUCHER_EVENTS):
        return [voucher_to_contract(event)]
    return [trade_in_to_contract(event)]


def drop_off(event: store.TradeInDroppedOff) -> commands.RecordShopTradeIn | commands.CollectAtShop:
    """A device the shop bought (settled there), or one quoted online that it collects for us."""
    if event.trade_in_id is None:
        return shop_trade_in(event)
    identifier = event.device.identifier
    return commands.CollectAtShop(
        trade_in_id=event.trade_in_id,
        drop_off_id=event.drop_off_id,
        shop_id=event.shop_id,
        identifier=identify(identifier.kind, identifier.value),
        # The centre pays by transfer or in store credit: cash at the counter is the shop's business.
        payout_method="voucher" if event.payout_method == "store_credit" else "bank_transfer",
        dropped_off_at=event.dropped_off_at,
    )


def shop_trade_in(event: store.TradeInDroppedOff) -> commands.RecordShopTradeIn:
    device = event.device
    return commands.RecordShopTradeIn(
        drop_off_id=event.drop_off_id,
        shop_id=event.shop_id,
        channel=event.channel,
        market=event.market,
        customer_id=event.customer.customer_id if event.customer else None,
        identifier=identify(device.identifier.kind, device.identifier.value),
        sku=device.sku,
        condition=event.condition,
        paid=event.payout.value(),
        payout_method=event.payout_method,
        dropped_off_at=event.dropped_off_at,
    )


def hold_request(event: contract.VoucherHoldRequested, held_until: datetime) -> vouchers.RequestHold:
    """A checkout's or a till's request; how long a granted hold lasts is trade-in's policy, not
    the requester's, so `held_until` is given by the consumer."""
    return vouchers.RequestHold(
        hold_id=event.hold_id,
        code_hash=event.code_hash,
        amount=event.amount.value(),
        market=event.market,
        requested_by=event.requested_by,
        held_until=held_until,
    )
