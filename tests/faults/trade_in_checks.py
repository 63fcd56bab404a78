"""The trade-ins and the vouchers they pay, compared with the independent computation: each trade-in
quoted once, taken through exactly the steps the day asked for (its history), paid once at the
amount the grid and the centre's grade decide (or returned, paid nothing), each payout in credit
one voucher of that amount, and each voucher's balance what it was issued for less its order's
payment, redeemed once."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from reloop_contracts import trade_in as contract
from tests.faults.model import TradeInOutcome

if TYPE_CHECKING:
    from tests.faults.checker import Checker, Seen, Summary


def quoted_not_once(events: list[Seen], trade_ins: dict[str, TradeInOutcome]) -> int:
    """Trade-ins of the day without exactly one `TradeInQuoted` (a quote lost, or one device quoted
    twice). `events` are distinct (deduplicated on the event id)."""
    quoted = Counter(r.event.trade_in_id for r in events if isinstance(r.event, contract.TradeInQuoted))
    return sum(1 for trade_in_id in trade_ins if quoted[trade_in_id] != 1)


def paid_not_once(events: list[Seen], trade_ins: dict[str, TradeInOutcome]) -> int:
    """Trade-ins with other than one `TradeInPaid` at the expected amount when the day pays them,
    or any when it returns the device."""
    paid: dict[str, list[int]] = {}
    for r in events:
        if isinstance(r.event, contract.TradeInPaid):
            paid.setdefault(r.event.trade_in_id, []).append(r.event.amount.amount_minor)
    return sum(
        1
        for trade_in_id, outcome in trade_ins.items()
        if paid.get(trade_in_id, []) != ([] if outcome.paid is None else [outcome.paid])
    )


def issued_not_once(events: list[Seen], trade_ins: dict[str, TradeInOutcome]) -> int:
    """Trade-ins paid in credit without exactly one `VoucherIssued` naming them, at the amount paid;
    or a voucher issued for a trade-in not paid in credit."""
    issued: dict[str, list[int]] = {}
    for r in events:
        if isinstance(r.event, contract.VoucherIssued) and r.event.trade_in_id is not None:
            issued.setdefault(r.event.trade_in_id, []).append(r.event.amount.amount_minor)
    return sum(
        1
        for trade_in_id, outcome in trade_ins.items()
        if issued.get(trade_in_id, []) != ([outcome.paid] if outcome.method == "voucher" else [])
    )


def history_wrong(history: list[str], outcome: TradeInOutcome) -> bool:
    """The statuses its history moved to are not exactly the expected path: a step repeated
    (applied twice), missing (lost) or out of order."""
    return tuple(history) != outcome.path


async def check_trade_ins(checker: Checker, summary: Summary) -> None:
    sent, driver = checker.driver.sent, checker.driver
    planned = checker.expected.trade_ins
    summary.add("trade-ins planned", len(planned), "expected")
    summary.add("trade-ins not taken to their end (driver gave up)", len(planned) - len(sent.trade_in_ends))
    by_id = {sent.trade_ins[i]: outcome for i, outcome in planned.items() if i in sent.trade_ins}
    events = await checker.distinct_events(contract.TRADE_INS)
    summary.add("events read back from trade-in.trade-ins (distinct)", len(events), "seen")
    summary.add("trade-in quotes lost or doubled (TradeInQuoted not once)", quoted_not_once(events, by_id))
    summary.add("trade-ins not paid exactly once, at the amount expected", paid_not_once(events, by_id))
    vouchers = await checker.distinct_events(contract.VOUCHERS)
    summary.add("events read back from trade-in.vouchers (distinct)", len(vouchers), "seen")
    summary.add("trade-in vouchers not issued exactly once, at the payout", issued_not_once(vouchers, by_id))
    wrong_status, wrong_history = 0, 0
    shown = await driver.read_all("trade-in", [f"/trade-ins/{trade_in_id}" for trade_in_id in by_id])
    for trade_in_id, outcome in by_id.items():
        seen = shown[f"/trade-ins/{trade_in_id}"]
        paid = (seen.get("paid") or {}).get("amount_minor")
        if (seen["status"], paid) != (outcome.status, outcome.paid):
            wrong_status += 1
            if wrong_status <= 5:
                summary.notes.append(
                    f"trade-in {trade_in_id}: {seen['status']} paid {paid}, expected {outcome.status} {outcome.paid}"
                )
        history = [step["to_status"] for step in seen["history"]]
        if history_wrong(history, outcome):
            wrong_history += 1
            if wrong_history <= 5:
                summary.notes.append(f"trade-in {trade_in_id} history {history}, expected {list(outcome.path)}")
    summary.add("trade-ins in a wrong end state or paid a wrong amount", wrong_status)
    summary.add("trade-in histories with a step repeated, missing or reordered", wrong_history)


async def check_vouchers(checker: Checker, summary: Summary) -> None:
    """Each voucher's balance is what was issued less what its order paid, and its ledger holds
    exactly one redemption of that sale: a balance alone would not see a hold that was never
    converted (the amount stays set aside until the hold expires, after the run). A voucher whose
    code was lost with its payout's answer was not spent: its balance is what it was issued for."""
    driver, sent = checker.driver, checker.driver.sent
    wrong, off_by, unredeemed, twice = 0, 0, 0, 0
    sale_of = {o.voucher: sent.orders.get(o.key) for o in checker.day.online_orders if o.voucher is not None}
    sale_of |= {
        s.voucher: sent.pos_canonical_ids.get(s.client_txn_id) for s in checker.day.shop_sales if s.voucher is not None
    }
    shown_vouchers = await driver.read_all(
        "trade-in", [f"/vouchers/{voucher_id}" for voucher_id in sent.voucher_ids.values()]
    )
    for index, want in checker.expected.voucher_balances.items():
        if index in sent.codes_lost:
            want = checker.expected.voucher_issued[index]
        voucher_id = sent.voucher_ids.get(index)
        if voucher_id is None:  # the trade-in paying it was never paid: counted with the trade-ins
            wrong += 1
            continue
        voucher = shown_vouchers[f"/vouchers/{voucher_id}"]
        shown = int(voucher["balance"]["amount_minor"])
        if shown != want:
            wrong += 1
            off_by += abs(shown - want)
            if wrong <= 5:
                summary.notes.append(f"voucher {voucher_id}: balance {shown}, expected {want}")
        if index in sent.codes_lost:
            continue
        redeemed = [e for e in voucher["ledger"] if e["kind"] == "redeem" and e["sale_id"] == sale_of[index]]
        unredeemed += not redeemed
        twice += len(redeemed) > 1
    spent = len(checker.expected.voucher_balances) - len(sent.codes_lost)
    summary.add("vouchers spent (online and at tills; trade-in payouts and issued by hand)", spent, "seen")
    at_tills = sum(1 for s in checker.day.shop_sales if s.voucher is not None and s.voucher not in sent.codes_lost)
    summary.add("  of them at tills (held, then redeemed by the sale)", at_tills, "seen")
    summary.add("  vouchers never spent: their code lost with a payout's answer", len(sent.codes_lost), "seen")
    summary.add("voucher balances wrong", wrong)
    summary.add("voucher credit off, in total (minor units)", off_by)
    summary.add("voucher payments never redeemed (hold not converted)", unredeemed)
    summary.add("voucher payments redeemed twice", twice)
