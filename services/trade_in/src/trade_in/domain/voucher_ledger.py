"""The rules of a voucher's ledger: each decision is a pure function of the vouchers it is given,
returning the entries to append and the events to publish. Nothing here reads or writes storage.

The balance is the sum of the entries (issue, release and refund add, hold, redeem and expire take away)
and no decision ever takes more than it: the balance never goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reloop_contracts.amounts import Money
from reloop_contracts.markets import currency_of
from trade_in.domain.vouchers import (
    UNKNOWN_VOUCHER,
    Entry,
    HoldRefusal,
    InvalidVoucher,
    RedeemForSale,
    RefundShortfall,
    ReleaseReason,
    RequestHold,
    Shortfall,
    Voucher,
    VoucherEvent,
    VoucherExpired,
    VoucherHeld,
    VoucherHoldRefused,
    VoucherIssued,
    VoucherOverdrawn,
    VoucherPayment,
    VoucherRedeemed,
    VoucherReleased,
)

_CREDITS = frozenset({"issue", "release", "refund"})
CONVERTED = "converted"
"""The reason of the release that turns a hold back into balance for the sale redeeming it."""


@dataclass(frozen=True)
class Change:
    """What one decision does to one voucher: entries to append, events to publish, the moment it
    expired when this decision expired it, its new expiry when this decision moved it (a refund
    opening it again: it is no longer expired), and store credit a refund asked for and did not get."""

    voucher_id: str
    entries: tuple[Entry, ...] = ()
    events: tuple[VoucherEvent, ...] = ()
    expired_at: datetime | None = None
    expires_at: datetime | None = None
    shortfalls: tuple[RefundShortfall, ...] = ()

    @property
    def stored(self) -> bool:
        """Whether the voucher's rows change (a refusal or a repeat only tells)."""
        return bool(self.entries) or self.expired_at is not None or self.expires_at is not None


@dataclass
class _Draft:
    """A voucher's ledger while a decision appends to it."""

    voucher: Voucher
    entries: list[Entry] = field(default_factory=list)
    events: list[VoucherEvent] = field(default_factory=list)

    def balance(self) -> Money:
        return balance(self.voucher) + balance_of(self.entries, self.voucher.currency)

    def change(self, expired_at: datetime | None = None) -> Change:
        return Change(self.voucher.voucher_id, tuple(self.entries), tuple(self.events), expired_at)


def effect(entry: Entry) -> int:
    """How the entry moves the balance, in minor units."""
    return entry.amount.amount_minor if entry.kind in _CREDITS else -entry.amount.amount_minor


def balance_of(entries: Iterable[Entry], currency: str) -> Money:
    return Money(sum(effect(e) for e in entries), currency)


def balance(voucher: Voucher) -> Money:
    """The sum of the whole ledger: the entries loaded and what those left out carry."""
    return Money(voucher.carried_minor, voucher.currency) + balance_of(voucher.entries, voucher.currency)


def hold_of(voucher: Voucher, hold_id: str) -> Entry | None:
    return next((e for e in voucher.entries if e.kind == "hold" and e.hold_id == hold_id), None)


def is_open(voucher: Voucher, hold_id: str) -> bool:
    """A hold is open until it is released: by its expiry, a cancellation, or a sale converting it."""
    return hold_of(voucher, hold_id) is not None and not any(
        e.kind == "release" and e.hold_id == hold_id for e in voucher.entries
    )


def open_holds(voucher: Voucher) -> list[Entry]:
    return [e for e in voucher.entries if e.kind == "hold" and e.hold_id and is_open(voucher, e.hold_id)]


def issued(voucher: Voucher) -> Change:
    """The first entry of a new voucher: its whole amount."""
    if voucher.amount.amount_minor <= 0:
        raise InvalidVoucher("a voucher is worth more than nothing", field="amount")
    if currency_of(voucher.market) != voucher.currency:
        raise InvalidVoucher(f"{voucher.market} does not pay in {voucher.currency}", field="amount.currency")
    if voucher.expires_at <= voucher.issued_at:
        raise InvalidVoucher("a voucher expires after it is issued", field="expires_at")
    event = VoucherIssued(
        voucher.voucher_id,
        voucher.trade_in_id,
        voucher.customer_id,
        voucher.market,
        voucher.amount,
        voucher.code_hint,
        voucher.expires_at,
        voucher.issued_at,
    )
    return Change(voucher.voucher_id, (Entry("issue", voucher.amount, voucher.issued_at),), (event,))


def hold(voucher: Voucher | None, cmd: RequestHold, at: datetime) -> Change:
    """Hold `cmd.amount` of the voucher for a checkout or a till, or refuse with the reason. Asked
    again under the same hold id (a requester retrying), it answers as it did, holding nothing more."""
    if voucher is None:
        return _refused(UNKNOWN_VOUCHER, cmd, "unknown_code", at)
    if cmd.amount.amount_minor <= 0:
        raise InvalidVoucher("a hold is for more than nothing", field="amount")
    if cmd.held_until <= at:
        raise InvalidVoucher("a hold ends after it is asked for", field="held_until")
    earlier = hold_of(voucher, cmd.hold_id)
    if earlier is not None:
        if not is_open(voucher, cmd.hold_id):
            # The hold is over (run out, cancelled or spent by its sale): asked for again, it is
            # refused as a hold whose time is up, never held a second time.
            return _refused(voucher.voucher_id, cmd, "expired", at)
        assert earlier.held_until is not None  # every hold has one (the table checks it too)
        answer = VoucherHeld(
            voucher.voucher_id, cmd.hold_id, earlier.amount, earlier.held_until, cmd.requested_by, earlier.at
        )
        return Change(voucher.voucher_id, events=(answer,))
    refusal = _hold_refusal(voucher, cmd, at)
    if refusal is not None:
        return _refused(voucher.voucher_id, cmd, refusal, at)
    entry = Entry("hold", cmd.amount, at, hold_id=cmd.hold_id, held_until=cmd.held_until)
    held = VoucherHeld(voucher.voucher_id, cmd.hold_id, cmd.amount, cmd.held_until, cmd.requested_by, at)
    return Change(voucher.voucher_id, (entry,), (held,))


def hold_in_order(vouchers: Mapping[str, Voucher], cmds: Sequence[RequestHold], at: datetime) -> list[Change]:
    """Decide several hold requests one after the other on the same vouchers (a consumer's batch,
    loaded once, by code hash): each sees what the requests before it held, so two tills asking for
    the last euros of one voucher get one hold and one refusal, and a request repeated in the batch
    gets the first one's answer. Returns each request's change, in the order of `cmds`; the entries
    are also appended to the vouchers given."""
    decided = []
    for cmd in cmds:
        voucher = vouchers.get(cmd.code_hash)
        change = hold(voucher, cmd, at)
        if voucher is not None:
            voucher.entries.extend(change.entries)
        decided.append(change)
    return decided


def _hold_refusal(voucher: Voucher, cmd: RequestHold, at: datetime) -> HoldRefusal | None:
    if voucher.is_expired(at):
        return "expired"
    if cmd.amount.currency != voucher.currency or currency_of(cmd.market) != voucher.currency:
        return "wrong_currency"
    if balance(voucher).amount_minor < cmd.amount.amount_minor:
        return "insufficient_balance"
    return None


def _refused(voucher_id: str, cmd: RequestHold, reason: HoldRefusal, at: datetime) -> Change:
    return Change(voucher_id, events=(VoucherHoldRefused(cmd.hold_id, voucher_id, reason, cmd.requested_by, at),))


def release_due_holds(voucher: Voucher, at: datetime) -> Change:
    """Give back every open hold whose time is up: no sale came to convert it."""
    draft = _Draft(voucher)
    for entry in open_holds(voucher):
        if entry.held_until is not None and entry.held_until <= at:
            _release(draft, entry, "expired", at)
    return draft.change()


def _release(draft: _Draft, held: Entry, reason: ReleaseReason | None, at: datetime) -> None:
    """Give a hold back; `reason` None is a sale converting it, told by the redemption that follows."""
    assert held.hold_id is not None
    draft.entries.append(Entry("release", held.amount, at, hold_id=held.hold_id, reason=reason or CONVERTED))
    if reason is not None:
        draft.events.append(VoucherReleased(draft.voucher.voucher_id, held.hold_id, held.amount, reason, at))


def expire(voucher: Voucher, at: datetime) -> Change:
    """The voucher's time is up: its open holds are given back and all that remains is taken off."""
    if voucher.expired_at is not None:
        return Change(voucher.voucher_id)
    draft = _Draft(voucher)
    for entry in open_holds(voucher):
        _release(draft, entry, "expired", at)
    remaining = draft.balance()
    draft.entries.append(Entry("expire", remaining, at))
    draft.events.append(VoucherExpired(voucher.voucher_id, remaining, at))
    return draft.change(expired_at=at)


def redeem(vouchers: Mapping[str, Voucher], cmd: RedeemForSale, at: datetime) -> list[Change]:
    """Apply a sale's voucher payments. `vouchers` are those the sale's payments name, by code hash.

    Each voucher pays what it can and a shortfall is told, never dropped and never taken below
    zero: an offline till may have accepted a voucher already spent. A sale applied before (the
    same sale delivered again) changes nothing. Vouchers are decided in voucher id order, the
    order the repository locks them in, so two sales paying with the same vouchers never deadlock.
    """
    wanted: dict[str, list[VoucherPayment]] = {}
    for payment in cmd.payments:
        wanted.setdefault(payment.code_hash, []).append(payment)
    known = sorted(((vouchers[h], p) for h, p in wanted.items() if h in vouchers), key=lambda vp: vp[0].voucher_id)
    changes = [_redeem_one(voucher, payments, cmd, at) for voucher, payments in known]
    for digest, payments in wanted.items():
        if digest not in vouchers:
            amount = _sum(p.amount for p in payments)
            event = _overdrawn(UNKNOWN_VOUCHER, cmd, amount, Money.zero(amount.currency), "unknown_code")
            changes.append(Change(UNKNOWN_VOUCHER, events=(event,)))
    return changes


def redeem_in_order(vouchers: Mapping[str, Voucher], cmds: Sequence[RedeemForSale], at: datetime) -> list[list[Change]]:
    """Apply several sales' voucher payments, decided one after the other on the same vouchers (a
    consumer's batch, loaded once): each sale sees what the sales before it took. Returns each
    sale's changes, in the order of `cmds`; the entries are also appended to the vouchers given."""
    by_id = {voucher.voucher_id: voucher for voucher in vouchers.values()}
    decided = []
    for cmd in cmds:
        changes = redeem(vouchers, cmd, at)
        for change in changes:
            if change.entries:
                by_id[change.voucher_id].entries.extend(change.entries)
        decided.append(changes)
    return decided


def _redeem_one(voucher: Voucher, payments: list[VoucherPayment], cmd: RedeemForSale, at: datetime) -> Change:
    draft = _Draft(voucher)
    if any(e.kind == "redeem" and e.sale_id == cmd.sale_id for e in voucher.entries):
        return draft.change()
    want = _sum(p.amount for p in payments)
    holds = [p.hold_id for p in payments if p.hold_id is not None]
    reason = _shortfall_before_paying(voucher, want, holds, cmd)
    converted: str | None = None
    if reason is None:
        for hold_id in holds:
            if is_open(voucher, hold_id):
                held = hold_of(voucher, hold_id)
                assert held is not None
                _release(draft, held, None, at)
                converted = converted or hold_id
    available = max(draft.balance().amount_minor, 0) if reason is None else 0
    paid = Money(min(want.amount_minor, available), voucher.currency if reason is None else want.currency)
    if reason is None and paid.amount_minor < want.amount_minor:
        reason = "insufficient_balance"
    entry_amount = paid if paid.currency == voucher.currency else Money.zero(voucher.currency)
    draft.entries.append(Entry("redeem", entry_amount, at, hold_id=converted, sale_id=cmd.sale_id, reason=reason))
    if paid.amount_minor:
        draft.events.append(
            VoucherRedeemed(
                voucher.voucher_id, paid, cmd.sale_id, cmd.channel, cmd.shop_id, cmd.basket, converted, cmd.sold_at
            )
        )
    if reason is not None:
        draft.events.append(_overdrawn(voucher.voucher_id, cmd, want, paid, reason))
    return draft.change()


def _shortfall_before_paying(voucher: Voucher, want: Money, holds: list[str], cmd: RedeemForSale) -> Shortfall | None:
    """Why the voucher pays nothing at all for this sale, if it pays nothing."""
    if want.currency != voucher.currency:
        return "wrong_currency"
    if voucher.is_expired(cmd.sold_at):
        return "expired"
    if any(e.kind == "redeem" and e.hold_id in holds for e in voucher.entries if e.hold_id):
        return "hold_already_redeemed"
    return None


def _overdrawn(voucher_id: str, cmd: RedeemForSale, want: Money, paid: Money, reason: Shortfall) -> VoucherOverdrawn:
    shortfall = Money(want.amount_minor - paid.amount_minor, want.currency)
    return VoucherOverdrawn(
        voucher_id, cmd.sale_id, want, paid, shortfall, reason, cmd.channel, cmd.shop_id, cmd.sold_at
    )


def _sum(amounts: Iterable[Money]) -> Money:
    items = list(amounts)
    result = items[0]
    for amount in items[1:]:
        result += amount
    return result
