"""Contracts <-> store-sync's domain, in one place: domain events out, other services' events in
as commands. A shop's sale leaves exactly as an online one does: a `SaleRecorded` on
`sales.transactions.v1`, only its channel (own_shop / partner_shop) and location differ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from reloop_contracts import Event, NonNegativeMoney, PositiveMoney
from reloop_contracts import catalog as catalog_contract
from reloop_contracts import inventory as inventory_contract
from reloop_contracts import privacy as privacy_contract
from reloop_contracts import sales as sales_contract
from reloop_contracts import store as contract
from reloop_contracts import trade_in as trade_in_contract
from reloop_contracts.amounts import Money
from reloop_contracts.common import Consent, CustomerRef, SealedPersonalData
from store_sync.domain import commands, events
from store_sync.domain.days import DayTotals
from store_sync.domain.policy import CustomerDataPolicy, CustomerOut
from store_sync.domain.transactions import VOUCHER, Device, Payment
from store_sync.domain.voucher_holds import REQUESTER, on_the_bus
from store_sync.service_layer.erasure import SERVICE

# --- out: domain events -> contract events ----------------------------------------------------------


def _money(amount: Money) -> NonNegativeMoney:
    return NonNegativeMoney.of(amount)


def _customer(customer: CustomerOut | None) -> CustomerRef | None:
    if customer is None:
        return None
    sealed = customer.sealed
    return CustomerRef(
        customer_id=customer.customer_id,
        subject_id=customer.subject_id,
        personal=SealedPersonalData(key_id=sealed.key_id, nonce=sealed.nonce, ciphertext=sealed.ciphertext)
        if sealed
        else None,
        consent=Consent(
            marketing=customer.marketing,
            partner_sharing=customer.partner_sharing,
            captured_at=customer.captured_at,
            captured_by=customer.captured_by,
        ),
        data_owner=cast(Any, customer.data_owner),
    )


def _policy(policy: CustomerDataPolicy) -> contract.CustomerDataPolicy:
    return contract.CustomerDataPolicy(
        data_owner=cast(Any, policy.data_owner), crm_sharing=cast(Any, policy.crm_sharing)
    )


def _device(unit_id: str, device: Device) -> contract.DroppedDevice:
    return contract.DroppedDevice(
        unit_id=unit_id,
        identifier=inventory_contract.DeviceIdentifier(kind=cast(Any, device.identifier_kind), value=device.identifier),
        sku=device.sku,
        description=device.description,
    )


def _totals(totals: DayTotals) -> contract.DayTotals:
    return contract.DayTotals(
        sales=totals.sales,
        sales_amount=_money(totals.sales_amount),
        returns=totals.returns,
        refunds=_money(totals.refunds),
        trade_ins=totals.trade_ins,
        repairs=totals.repairs,
        sales_tax=_money(totals.sales_tax) if totals.sales_tax else None,
    )


def to_contract(event: events.DomainEvent) -> Sequence[Event]:
    match event:
        case events.SaleRecorded():
            return [_sale(event)]
        case events.ReturnRecorded():
            return [_return(event)]
        case events.TradeInDroppedOff():
            t = event.trade_in
            return [
                contract.TradeInDroppedOff(
                    drop_off_id=event.drop_off_id,
                    shop_id=event.shop.shop_id,
                    channel=cast(Any, event.shop.kind),
                    market=event.shop.market,
                    device=_device(event.unit_id, t.device),
                    condition=t.condition,
                    payout=_money(t.payout),
                    payout_method=cast(Any, t.payout_method),
                    customer=_customer(event.customer),
                    dropped_off_at=t.occurred_at,
                    pos_transaction_id=t.client_txn_id,
                    trade_in_id=t.trade_in_id,
                )
            ]
        case events.RepairDroppedOff():
            r = event.repair
            return [
                contract.RepairDroppedOff(
                    drop_off_id=event.drop_off_id,
                    shop_id=event.shop.shop_id,
                    channel=cast(Any, event.shop.kind),
                    market=event.shop.market,
                    device=_device(event.unit_id, r.device),
                    issue=r.issue,
                    quote=_money(r.quote) if r.quote else None,
                    customer=_customer(event.customer),
                    dropped_off_at=r.occurred_at,
                    pos_transaction_id=r.client_txn_id,
                )
            ]
        case events.StockCounted():
            c = event.count
            return [
                contract.StockCounted(
                    count_id=event.count_id,
                    shop_id=event.shop.shop_id,
                    reason=c.reason,
                    accessories=[contract.CountedAccessory(sku=sku, counted=n) for sku, n in c.accessories],
                    units_present=list(c.units_present) if c.units_present is not None else None,
                    counted_at=c.occurred_at,
                    pos_transaction_id=c.client_txn_id,
                )
            ]
        case events.DayClosed():
            return [
                contract.DayClosed(
                    close_id=event.close_id,
                    shop_id=event.shop.shop_id,
                    business_date=event.business_date,
                    reported=_totals(event.close.reported),
                    recorded=_totals(event.recorded),
                    quarantined=event.quarantined,
                    balanced=event.balanced,
                    closed_at=event.close.occurred_at,
                    pos_transaction_id=event.close.client_txn_id,
                )
            ]
        case events.ShopRegistered():
            return [
                contract.ShopRegistered(
                    shop_id=event.shop_id,
                    name=event.name,
                    kind=cast(Any, event.kind),
                    market=event.market,
                    currency=event.currency,
                    timezone=event.timezone,
                    operator_id=event.operator_id,
                    customer_data=_policy(event.policy),
                    registered_at=event.at,
                    postal_code=event.postal_code,
                    opens_on=event.opens_on,
                )
            ]
        case events.PolicyChanged():
            return [
                contract.CustomerDataPolicyChanged(
                    shop_id=event.shop_id,
                    customer_data=_policy(event.policy),
                    previous=_policy(event.previous),
                    changed_at=event.at,
                )
            ]
        case events.ShipmentDispatched():
            return [
                contract.ShipmentDispatched(
                    shipment_id=event.shipment_id,
                    from_location_id=event.from_location_id,
                    to_location_id=event.to_location_id,
                    units=[
                        contract.ShippedUnit(
                            unit_id=d.unit_id,
                            kind=cast(Any, d.kind),
                            source_id=d.source_id,
                            sku=d.sku,
                            identifier=inventory_contract.DeviceIdentifier(
                                kind=cast(Any, d.identifier_kind), value=d.identifier
                            )
                            if d.identifier_kind and d.identifier
                            else None,
                        )
                        for d in event.devices
                    ],
                    carrier_reference=event.carrier_reference,
                    dispatched_at=event.at,
                )
            ]
        case events.VoucherHoldRequested():
            return [
                trade_in_contract.VoucherHoldRequested(
                    hold_id=event.request_id,
                    code_hash=event.code_hash,
                    amount=PositiveMoney.of(event.amount),
                    market=event.market,
                    requested_by=REQUESTER,
                    shop_id=event.shop_id,
                    reference=event.reference,
                    requested_at=event.at,
                )
            ]
        case events.ShipmentReceived():
            return [
                contract.ShipmentReceived(
                    shipment_id=event.shipment_id,
                    from_location_id=event.from_location_id,
                    to_location_id=event.to_location_id,
                    received_unit_ids=list(event.received),
                    missing_unit_ids=list(event.missing),
                    received_at=event.at,
                )
            ]


def _sale(event: events.SaleRecorded) -> sales_contract.SaleRecorded:
    sale = event.sale
    return sales_contract.SaleRecorded(
        sale_id=event.sale_id,
        channel=cast(Any, event.shop.kind),
        location_id=event.shop.shop_id,
        market=event.shop.market,
        sold_at=sale.occurred_at,
        lines=[
            sales_contract.SaleLine(
                line_id=line.line_id,
                kind=cast(Any, line.kind),
                sku=line.sku,
                unit_id=line.unit_id,
                quantity=line.quantity,
                unit_price=_money(line.unit_price),
                discount=_money(line.discount) if line.discount else None,
                service_code=line.service_code,
            )
            for line in sale.lines
        ],
        payments=[_payment(event.shop.shop_id, p) for p in sale.payments],
        total=_money(sale.total),
        customer=_customer(event.customer),
        reservation_id=sale.reservation_id,
        pos_transaction_id=sale.client_txn_id,
    )


def _payment(shop_id: str, payment: Payment) -> sales_contract.PaymentLine:
    """A sale's payment or a return's refund, as the contract has it."""
    # A voucher's reference is the till's id of its hold (for a refund, the hold of the sale's
    # voucher payment): trade-in knows the hold by its bus id.
    voucher = payment.method == VOUCHER
    reference = on_the_bus(shop_id, payment.reference) if voucher and payment.reference else payment.reference
    return sales_contract.PaymentLine(
        method=cast(Any, payment.method),
        amount=_money(payment.amount),
        reference=reference,
        voucher_code_hash=payment.voucher_code_hash,
    )


def _return(event: events.ReturnRecorded) -> sales_contract.ReturnRecorded:
    ret = event.ret
    return sales_contract.ReturnRecorded(
        return_id=event.return_id,
        sale_id=event.sale_id,
        channel=cast(Any, event.shop.kind),
        location_id=event.shop.shop_id,
        market=event.shop.market,
        returned_at=ret.occurred_at,
        lines=[
            sales_contract.ReturnLine(
                line_id=line.line_id,
                kind=cast(Any, line.kind),
                sku=line.sku,
                unit_id=line.unit_id,
                quantity=line.quantity,
                reason=line.reason,
                refund=_money(line.refund),
            )
            for line in ret.lines
        ],
        customer=_customer(event.customer),
        refunds=[_payment(event.shop.shop_id, r) for r in ret.refunds or ()],
    )


# --- in: other services' events -> commands ---------------------------------------------------------


def listing(event: catalog_contract.SkuListed) -> commands.RecordListing:
    return commands.RecordListing(event.sku, event.kind, event.title, event.grade, event.listed_at)


def price(event: catalog_contract.SkuPriced) -> commands.RecordPrice:
    return commands.RecordPrice(event.sku, event.market, event.price.value(), event.effective_at)


def discontinued(event: catalog_contract.SkuDiscontinued) -> commands.RecordDiscontinued:
    return commands.RecordDiscontinued(event.sku, event.discontinued_at)


def availability(event: inventory_contract.AvailabilityChanged) -> commands.RecordAvailability:
    return commands.RecordAvailability(
        event.sku,
        event.kind,
        tuple(commands.LocationCount(c.location_id, c.location_kind, c.market, c.available) for c in event.by_location),
        event.as_of,
    )


def unit_received(event: inventory_contract.UnitReceived) -> commands.RecordUnitIdentifier:
    return commands.RecordUnitIdentifier(event.unit_id, event.identifier.value)


def erasure(event: privacy_contract.ErasureRequested) -> commands.EraseSubjects:
    """Forget the customer; confirm it when store-sync is among the holders the request names."""
    return commands.EraseSubjects(
        event.request_id, tuple(event.subject_ids), tuple(event.customer_ids), SERVICE in event.holders
    )


def voucher_held(event: trade_in_contract.VoucherHeld) -> commands.RecordVoucherHeld:
    return commands.RecordVoucherHeld(event.hold_id, event.requested_by, event.voucher_id, event.held_until, event.at)


def hold_refused(event: trade_in_contract.VoucherHoldRefused) -> commands.RecordHoldRefused:
    return commands.RecordHoldRefused(event.hold_id, event.requested_by, event.voucher_id, event.reason, event.at)
