"""The repairs compared with the independent computation: each drop-off one ticket, opened once,
taken through exactly the steps the day asked for (its history: none repeated, none missing),
covered or charged as the plan decides, completed and handed back once; each subscription started
once and charged once per period, renewed once by the run ahead."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from reloop_contracts import repair as contract
from tests.faults.model import RepairOutcome

if TYPE_CHECKING:
    from tests.faults.checker import Checker, Seen, Summary


def events_not_once(events: list[Seen], kind: type, ids: set[str], field: str, want: dict[str, int]) -> int:
    """Of `ids`, those with other than `want[id]` distinct events of `kind` (named by `field`)."""
    seen = Counter(getattr(r.event, field) for r in events if isinstance(r.event, kind))
    return sum(1 for i in ids if seen[i] != want[i])


def charged_not_once_per_period(charges: list[dict[str, Any]], expected: tuple[int, ...]) -> bool:
    """A subscription's ledger does not hold exactly one paid charge per period at the plan's price
    (a period charged twice, or one not charged)."""
    paid = [c for c in charges if c["kind"] == "paid"]
    periods = Counter(c["period_start"] for c in paid)
    amounts = sorted(int(c["amount"]["amount_minor"]) for c in paid)
    return any(n != 1 for n in periods.values()) or amounts != sorted(expected)


def ticket_wrong(ticket: dict[str, Any], outcome: RepairOutcome) -> bool:
    """Not closed, covered otherwise than planned, or charged a wrong amount."""
    charged = int((ticket.get("charged") or {}).get("amount_minor", 0))
    return (ticket["status"], ticket["coverage"], charged) != ("closed", outcome.coverage, outcome.charged)


async def check_repairs(checker: Checker, summary: Summary) -> None:
    driver, sent, expected = checker.driver, checker.driver.sent, checker.expected
    summary.add("repairs planned (devices left at shops)", len(expected.repairs), "expected")
    summary.add("repairs not taken to their end (driver gave up)", len(expected.repairs) - len(sent.repair_ends))
    by_id = {sent.tickets[i]: outcome for i, outcome in expected.repairs.items() if i in sent.tickets}
    tickets = await checker.distinct_events(contract.TICKETS)
    summary.add("events read back from repair.tickets (distinct)", len(tickets), "seen")
    ids = set(by_id)
    once = dict.fromkeys(ids, 1)
    completed = {t: int("repaired" in o.path) for t, o in by_id.items()}  # a declined quote: never
    summary.add(
        "repair tickets not opened exactly once",
        events_not_once(tickets, contract.RepairTicketOpened, ids, "ticket_id", once),
    )
    summary.add(
        "repairs not completed exactly once (or completed unrepaired)",
        events_not_once(tickets, contract.RepairCompleted, ids, "ticket_id", completed),
    )
    summary.add(
        "devices not handed back exactly once",
        events_not_once(tickets, contract.RepairReturned, ids, "ticket_id", once),
    )
    wrong, broken = 0, 0
    shown = await driver.read_all("repair", [f"/tickets/{ticket_id}" for ticket_id in by_id])
    for ticket_id, outcome in by_id.items():
        ticket = shown[f"/tickets/{ticket_id}"]
        history = tuple(h["to_status"] for h in ticket["history"])
        if ticket_wrong(ticket, outcome):
            wrong += 1
            if wrong <= 5:
                summary.notes.append(
                    f"ticket {ticket_id}: {ticket['status']} {ticket['coverage']} charged {ticket.get('charged')}, "
                    f"expected closed {outcome.coverage} {outcome.charged}"
                )
        if history != outcome.path:
            broken += 1
            if broken <= 5:
                summary.notes.append(f"ticket {ticket_id} history {list(history)}, expected {list(outcome.path)}")
    summary.add("tickets not closed, or covered/charged otherwise than planned", wrong)
    summary.add("ticket histories with a step repeated, missing or reordered", broken)

    subscriptions = await checker.distinct_events(contract.SUBSCRIPTIONS)
    summary.add("subscriptions planned", sum(1 for r in checker.day.repairs if r.subscribes), "expected")
    summary.add("events read back from repair.subscriptions (distinct)", len(subscriptions), "seen")
    subs = set(sent.subscriptions.values())
    ones = dict.fromkeys(subs, 1)
    summary.add(
        "subscriptions not started exactly once",
        events_not_once(subscriptions, contract.SubscriptionStarted, subs, "subscription_id", ones),
    )
    summary.add(
        "subscriptions not renewed exactly once by the run ahead",
        events_not_once(subscriptions, contract.SubscriptionRenewed, subs, "subscription_id", ones),
    )
    misbilled = 0
    billed = await driver.read_all("repair", [f"/subscriptions/{s}/charges" for s in subs])
    for subscription_id in subs:
        charges = billed[f"/subscriptions/{subscription_id}/charges"]
        if charged_not_once_per_period(charges, expected.plan_charges):
            misbilled += 1
            if misbilled <= 5:
                summary.notes.append(f"subscription {subscription_id} charges: {charges}")
    summary.add("subscriptions not charged exactly once per period", misbilled)
    for run in sent.renewal_runs:
        summary.notes.append(f"renewal run ahead: {run}")
