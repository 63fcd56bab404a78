"""A connected till holds part of a store-credit voucher before taking it as payment.

Store-sync never asks trade-in directly: it records the till's request and publishes it; trade-in
answers on the vouchers topic (held until a time, or refused with a reason), and the request's row
takes the answer. The till names its hold with its own id (like its transaction ids, a retry with
the same id is the same request); on the bus the hold carries an id derived from the shop and
that id, because trade-in matches answers by hold id alone and two shops' tills may pick the same
one. The code itself is never kept: only its hash (`reloop_contracts.voucher_codes`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from reloop_contracts.amounts import Money
from reloop_contracts.voucher_codes import normalised_voucher_code, voucher_code_hash
from reloop_shared.recording import EventRecorder
from store_sync.domain import events
from store_sync.domain.errors import Conflict, InvalidTransaction
from store_sync.domain.idempotency import check_client_txn_id, derived_id
from store_sync.domain.shops import Shop

PENDING = "pending"
HELD = "held"
REFUSED = "refused"
STATUSES = (PENDING, HELD, REFUSED)
REQUESTER = "store-sync"

_CODE = re.compile(r"^[A-Z0-9]{4,64}$")


def on_the_bus(shop_id: str, hold_id: str) -> str:
    """The id trade-in knows a till's hold by (and a sale's voucher payment names it by)."""
    return derived_id("voucher_hold", shop_id, hold_id)


CODE_RULE = "a voucher code is 4 to 64 letters or digits (dashes and spaces ignored)"


def is_voucher_code(code: str) -> bool:
    return _CODE.match(normalised_voucher_code(code)) is not None


def code_hash(code: str, *, field: str = "code") -> str:
    """The hash of a code as a till typed it; a code that cannot be one is refused, naming `field`."""
    if not is_voucher_code(code):
        raise InvalidTransaction(CODE_RULE, field=field)
    return voucher_code_hash(code)


@dataclass
class VoucherHold:
    shop_id: str
    hold_id: str
    request_id: str
    code_hash: str
    amount: Money
    market: str
    requested_at: datetime
    reference: str | None = None
    status: str = PENDING
    voucher_id: str | None = None
    held_until: datetime | None = None
    refusal: str | None = None
    answered_at: datetime | None = None
    recorder: EventRecorder[events.DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)

    @classmethod
    def request(
        cls, shop: Shop, hold_id: str, hashed_code: str, amount: Money, reference: str | None, at: datetime
    ) -> VoucherHold:
        """A till's request, in the shop's currency, announced to trade-in."""
        check_client_txn_id(hold_id, field="hold_id")
        if reference is not None:
            check_client_txn_id(reference, field="reference")
        if amount.currency != shop.currency:
            raise InvalidTransaction(
                f"the shop sells in {shop.currency}, not {amount.currency}", field="amount.currency"
            )
        if amount.amount_minor <= 0:
            raise InvalidTransaction("a hold is for more than nothing", field="amount.amount_minor")
        request_id = on_the_bus(shop.shop_id, hold_id)
        hold = cls(shop.shop_id, hold_id, request_id, hashed_code, amount, shop.market, at, reference)
        hold.recorder.record(
            events.VoucherHoldRequested(request_id, shop.shop_id, shop.market, hashed_code, amount, reference, at)
        )
        return hold

    def same_request(self, hashed_code: str, amount: Money, reference: str | None) -> None:
        """A hold id sent again must ask for the same hold (a retried request), never another."""
        if (hashed_code, amount, reference) != (self.code_hash, self.amount, self.reference):
            raise Conflict(
                f"hold {self.hold_id} was already requested with another code, amount or reference", field="hold_id"
            )

    def held(self, voucher_id: str, held_until: datetime, at: datetime) -> bool:
        """Trade-in set the amount aside. False when the hold was already answered (a redelivery)."""
        if self.status != PENDING:
            return False
        self.status, self.voucher_id, self.held_until, self.answered_at = HELD, voucher_id, held_until, at
        return True

    def refused(self, voucher_id: str, reason: str, at: datetime) -> bool:
        """Trade-in refused it, saying why. False when the hold was already answered."""
        if self.status != PENDING:
            return False
        self.status, self.voucher_id, self.refusal, self.answered_at = REFUSED, voucher_id, reason, at
        return True
