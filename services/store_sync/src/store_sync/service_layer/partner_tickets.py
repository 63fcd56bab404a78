"""What becomes of a partner's tickets, uploaded or replayed from quarantine: load, decide, save.

Load once: the mapping table's codes and the units the tickets name (and, for a replay, the kept
customers opened in one call through the sealer). Decide, pure: each ticket is mapped to reloop's
transaction or it is not, and why. Save: the mapped ones go down the one idempotent path every
transaction takes (each shop's journal), their quarantine entries close in one statement, and the
others are quarantined in one statement, keeping of their customer only what the policy allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from store_sync.domain.idempotency import derived_id, fingerprint
from store_sync.domain.journal import Outcome, Submitted
from store_sync.domain.partner import FORMAT, SkuMapping, Unmappable, adapt, parse_time, split_personal, ticket_id
from store_sync.domain.policy import Contact, Sealed, TillCustomer, decide
from store_sync.domain.shops import Shop
from store_sync.service_layer.ingestion import record
from store_sync.service_layer.ports import Quarantined, Sealer, ToQuarantine
from store_sync.service_layer.unit_of_work import StoreSyncUnitOfWork


@dataclass(frozen=True)
class TicketOutcome:
    ticket: str | None
    result: str  # recorded | duplicate | conflict | waiting_for_sale | quarantined
    canonical_id: str | None = None
    quarantine_id: int | None = None
    reason: str = ""
    field: str | None = None


@dataclass(frozen=True)
class Ticket:
    """A ticket of a shop without its customer block, and the customer as the till captured them."""

    shop: Shop
    ticket: dict[str, Any]
    customer: TillCustomer | None
    key: str


@dataclass(frozen=True)
class Mappings:
    """What the tickets name that reloop knows: article codes per operator, device IMEIs."""

    skus: Mapping[str, Mapping[str, SkuMapping]]
    units: Mapping[str, str]


@dataclass(frozen=True)
class Decided:
    ticket: Ticket
    adapted: Submitted | Unmappable


def uploaded(shop: Shop, raw: dict[str, Any]) -> Ticket:
    ticket, customer = split_personal(raw)
    return Ticket(shop, ticket, customer, ticket_id(ticket) or f"sha256:{fingerprint(ticket)}")


async def restored(shops: Mapping[str, Shop], items: Sequence[Quarantined], sealer: Sealer) -> list[Ticket]:
    """Quarantined tickets with their customers as captured: the contact details kept sealed are
    opened in one call."""
    kept = [i for i in items if i.customer is not None and i.customer.get("sealed")]
    opened = await sealer.open_all([Sealed(**i.customer["sealed"]) for i in kept if i.customer]) if kept else []
    fields = dict(zip((i.quarantine_id for i in kept), opened, strict=True))
    return [_restored(shops[i.shop_id], i, fields.get(i.quarantine_id)) for i in items]


def _restored(shop: Shop, item: Quarantined, fields: dict[str, str] | None) -> Ticket:
    stored = item.customer
    customer = None
    if stored is not None:
        customer = TillCustomer(
            customer_id=stored.get("customer_id"),
            contact=Contact(**fields) if fields else None,
            marketing=stored["marketing"],
            partner_sharing=stored["partner_sharing"],
        )
    return Ticket(shop, item.ticket, customer, item.ticket_key)


async def mappings_for(tickets: Sequence[Ticket], uow: StoreSyncUnitOfWork) -> Mappings:
    """The codes and IMEIs the tickets name, read once (one query per operator: the tickets of an
    upload or a replay are all of one)."""
    operators = sorted({t.shop.operator_id for t in tickets if t.shop.operator_id is not None})
    skus = {
        op: await uow.partner.skus(op, _codes(t.ticket for t in tickets if t.shop.operator_id == op))
        for op in operators
    }
    return Mappings(skus, await uow.partner.units(_imeis(t.ticket for t in tickets)) if tickets else {})


def decided(tickets: Sequence[Ticket], mappings: Mappings, at: datetime) -> list[Decided]:
    """Each ticket mapped to reloop's transaction, or why it cannot be: pure."""
    return [Decided(t, adapt(t.ticket, t.customer, t.shop, _skus_of(t, mappings), mappings.units, at)) for t in tickets]


def _skus_of(ticket: Ticket, mappings: Mappings) -> Mapping[str, SkuMapping]:
    return mappings.skus.get(ticket.shop.operator_id or "", {})


async def saved(
    decisions: Sequence[Decided], uow: StoreSyncUnitOfWork, sealer: Sealer, at: datetime
) -> list[TicketOutcome]:
    """Record what mapped, close its quarantine entries, quarantine the rest; outcomes in order."""
    results: dict[int, TicketOutcome] = {}
    resolved: list[tuple[str, str, str]] = []
    mapped = sorted((d for d in decisions if isinstance(d.adapted, Submitted)), key=lambda d: d.ticket.shop.shop_id)
    for _, group in groupby(mapped, key=lambda d: d.ticket.shop.shop_id):
        of_shop = list(group)
        # The one path every transaction takes: the shop's journal decides what is new.
        outcomes = await record(of_shop[0].ticket.shop, [_submitted(d) for d in of_shop], uow, sealer)
        for decision, outcome in zip(of_shop, outcomes, strict=True):
            results[id(decision)] = _mapped(decision.ticket, outcome)
            resolved.append((decision.ticket.shop.shop_id, decision.ticket.key, outcome.result))
    if resolved:
        await uow.quarantine.resolve(resolved, at)
    unmappable = [(d, d.adapted) for d in decisions if isinstance(d.adapted, Unmappable)]
    if unmappable:
        # What each quarantined ticket may keep of its customer is sealed in one call, then saved.
        requests = [r for d, _ in unmappable if (r := _sealing_request(d.ticket)) is not None]
        sealed = await sealer.seal_all(requests) if requests else {}
        items = [_to_quarantine(d.ticket, why, sealed) for d, why in unmappable]
        quarantine_ids = await uow.quarantine.put_all(items, at)
        for (decision, why), quarantine_id in zip(unmappable, quarantine_ids, strict=True):
            key = decision.ticket.key
            results[id(decision)] = TicketOutcome(key, "quarantined", None, quarantine_id, why.reason, why.field)
    return [results[id(d)] for d in decisions]


def _submitted(decision: Decided) -> Submitted:
    assert isinstance(decision.adapted, Submitted)
    return decision.adapted


def _mapped(ticket: Ticket, outcome: Outcome) -> TicketOutcome:
    return TicketOutcome(ticket.key, outcome.result, outcome.canonical_id, reason=outcome.detail)


def _to_quarantine(ticket: Ticket, why: Unmappable, sealed: Mapping[str, Sealed | None]) -> ToQuarantine:
    shop = ticket.shop
    customer, subject_id = _kept_customer(ticket, sealed)
    return ToQuarantine(
        shop_id=shop.shop_id,
        operator_id=shop.operator_id,
        source=FORMAT,
        ticket_key=ticket.key,
        client_txn_id=why.client_txn_id,
        ticket=ticket.ticket,
        customer=customer,
        subject_id=subject_id,
        customer_id=customer.get("customer_id") if customer else None,
        reason=why.reason,
        field=why.field,
        partner_sku=why.partner_sku,
        business_date=_business_date(shop, ticket.ticket),
    )


def _sealing_request(ticket: Ticket) -> tuple[str, dict[str, str]] | None:
    """The contact details a quarantined ticket may keep (sealed): only where the policy lets its
    customer reach CRM."""
    customer = ticket.customer
    if customer is None or customer.contact is None or not decide(ticket.shop.policy, customer).allowed:
        return None
    fields = customer.contact.fields()
    return (derived_id("subject", ticket.shop.shop_id, ticket.key), fields) if fields else None


def _kept_customer(ticket: Ticket, sealed: Mapping[str, Sealed | None]) -> tuple[dict[str, Any] | None, str | None]:
    """What a quarantined ticket may keep of its customer: consent always, identity only sealed
    and only where the policy lets it reach CRM."""
    customer = ticket.customer
    if customer is None:
        return None, None
    kept: dict[str, Any] = {"marketing": customer.marketing, "partner_sharing": customer.partner_sharing}
    if not decide(ticket.shop.policy, customer).allowed:
        return kept, None
    kept["customer_id"] = customer.customer_id
    if not (customer.contact and customer.contact.fields()):
        return kept, None
    subject_id = derived_id("subject", ticket.shop.shop_id, ticket.key)
    seal = sealed.get(subject_id)
    kept["sealed"] = seal.__dict__ if seal else None
    return kept, subject_id if seal else None


def _business_date(shop: Shop, ticket: dict[str, Any]) -> date | None:
    moment = parse_time(ticket.get("horodatage"))
    return shop.business_date(shop.to_utc(moment)) if moment is not None else None


def _codes(tickets: Iterable[dict[str, Any]]) -> set[str]:
    codes = set()
    for ticket in tickets:
        codes.add(str(ticket.get("code_article") or ""))
        for line in ticket.get("lignes") or []:
            if isinstance(line, dict):
                codes.add(str(line.get("code_article") or "").strip())
    return {c.strip() for c in codes if c.strip()}


def _imeis(tickets: Iterable[dict[str, Any]]) -> set[str]:
    imeis = set()
    for ticket in tickets:
        imeis.add(str(ticket.get("imei") or ""))
        for line in ticket.get("lignes") or []:
            if isinstance(line, dict):
                imeis.add(str(line.get("imei") or "").strip())
    return {i.strip() for i in imeis if i.strip()}
