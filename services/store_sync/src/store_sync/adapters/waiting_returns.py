"""A return waiting for its sale, stored as JSON until the sale arrives (no contact details:
the customer is kept as the policy left it, sealed or anonymous)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from reloop_contracts.amounts import Money
from store_sync.domain.policy import CustomerOut, Sealed
from store_sync.domain.transactions import Payment, Return, ReturnLine


def _money(value: Money) -> dict[str, Any]:
    return {"amount_minor": value.amount_minor, "currency": value.currency}


def waiting_return(ret: Return, customer: CustomerOut | None) -> str:
    return json.dumps(
        {
            "return": {
                "client_txn_id": ret.client_txn_id,
                "occurred_at": ret.occurred_at.isoformat(),
                "sale_txn_id": ret.sale_txn_id,
                "sale_id": ret.sale_id,
                "lines": [
                    {
                        "line_id": line.line_id,
                        "kind": line.kind,
                        "sku": line.sku,
                        "refund": _money(line.refund),
                        "quantity": line.quantity,
                        "unit_id": line.unit_id,
                        "reason": line.reason,
                    }
                    for line in ret.lines
                ],
                **({"refunds": [_refund(r) for r in ret.refunds]} if ret.refunds is not None else {}),
            },
            "customer": customer_json(customer),
        }
    )


def _refund(refund: Payment) -> dict[str, Any]:
    # The voucher by its code's hash: the code itself never reached the domain.
    return {
        "method": refund.method,
        "amount": _money(refund.amount),
        "reference": refund.reference,
        "voucher_code_hash": refund.voucher_code_hash,
    }


def _refund_from(raw: dict[str, Any]) -> Payment:
    amount = Money(raw["amount"]["amount_minor"], raw["amount"]["currency"])
    return Payment(raw["method"], amount, raw["reference"], raw["voucher_code_hash"])


def customer_json(customer: CustomerOut | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "data_owner": customer.data_owner,
        "marketing": customer.marketing,
        "partner_sharing": customer.partner_sharing,
        "captured_at": customer.captured_at.isoformat(),
        "captured_by": customer.captured_by,
        "customer_id": customer.customer_id,
        "subject_id": customer.subject_id,
        "sealed": customer.sealed.__dict__ if customer.sealed else None,
    }


def from_waiting(stored: str | dict[str, Any]) -> tuple[Return, CustomerOut | None]:
    data = json.loads(stored) if isinstance(stored, str) else stored
    raw = data["return"]
    ret = Return(
        client_txn_id=raw["client_txn_id"],
        occurred_at=datetime.fromisoformat(raw["occurred_at"]),
        sale_txn_id=raw["sale_txn_id"],
        sale_id=raw["sale_id"],
        lines=tuple(
            ReturnLine(
                line_id=line["line_id"],
                kind=line["kind"],
                sku=line["sku"],
                refund=Money(line["refund"]["amount_minor"], line["refund"]["currency"]),
                quantity=line["quantity"],
                unit_id=line["unit_id"],
                reason=line["reason"],
            )
            for line in raw["lines"]
        ),
        # Returns stored before tills told how they refunded have no "refunds".
        refunds=tuple(_refund_from(r) for r in raw["refunds"]) if "refunds" in raw else None,
    )
    customer = data.get("customer")
    if customer is None:
        return ret, None
    sealed = customer.get("sealed")
    return ret, CustomerOut(
        data_owner=customer["data_owner"],
        marketing=customer["marketing"],
        partner_sharing=customer["partner_sharing"],
        captured_at=datetime.fromisoformat(customer["captured_at"]),
        captured_by=customer["captured_by"],
        customer_id=customer.get("customer_id"),
        subject_id=customer.get("subject_id"),
        sealed=Sealed(**sealed) if sealed else None,
    )
