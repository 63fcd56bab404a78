"""A partner operator's tickets: mapped through its table and recorded, or quarantined with the
reason and replayed once the mapping is fixed. Nothing is dropped.

A quarantined ticket is kept without its customer block. If the shop's policy lets that customer
reach CRM, their contact details are kept sealed under the ticket's data subject (erasure
destroys the key); otherwise they are dropped at once, as they would have been on success.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reloop_shared.clock import Clock
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, Invalid, NotFound
from store_sync.domain.idempotency import derived_id, fingerprint
from store_sync.domain.journal import Outcome, Submitted
from store_sync.domain.partner import FORMAT, SkuMapping, Unmappable, adapt, parse_time, split_personal, ticket_id
from store_sync.domain.policy import Contact, Sealed, TillCustomer, decide
from store_sync.domain.shops import Shop, check_id
from store_sync.domain.transactions import ITEM_KINDS
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
class _Ticket:
    """A ticket without its customer block, and the customer as the till captured them."""

    ticket: dict[str, Any]
    customer: TillCustomer | None
    key: str


async def ingest_partner(
    cmd: commands.IngestPartnerTickets, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> list[TicketOutcome]:
    async with uow:
        shop = await uow.shops.lock(cmd.shop_id)
        if shop.pos_format != FORMAT:
            raise Invalid(f"shop {shop.shop_id}'s tills use reloop's format, not {FORMAT}", field="shop_id")
        tickets = [_split(raw) for raw in cmd.tickets]
        outcomes = await _map_and_record(shop, tickets, uow, sealer, clock.now())
        await uow.commit()
    return outcomes


async def map_sku(
    cmd: commands.MapPartnerSku, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> list[TicketOutcome]:
    """Map one of the operator's article codes, then replay the operator's quarantine: what maps
    now is recorded in the same transaction as the mapping."""
    check_id(cmd.sku, "sku")
    if cmd.kind not in ITEM_KINDS:
        raise Invalid(f"kind is one of {', '.join(ITEM_KINDS)}", field="kind")
    async with uow:
        if await uow.operators.get(cmd.operator_id, for_update=True) is None:
            raise NotFound(f"no operator {cmd.operator_id}", field="operator_id")
        at = clock.now()
        await uow.partner.map_sku(cmd.operator_id, SkuMapping(cmd.partner_sku, cmd.sku, cmd.kind), at)
        outcomes = await _replay(await uow.quarantine.open_items(operator_id=cmd.operator_id), uow, sealer, at)
        await uow.commit()
    return outcomes


async def replay(
    cmd: commands.ReplayQuarantined, uow: StoreSyncUnitOfWork, sealer: Sealer, clock: Clock
) -> TicketOutcome:
    """Replay one quarantined ticket, as it is or corrected by hand (its customer block kept)."""
    async with uow:
        item = await uow.quarantine.get(cmd.quarantine_id)
        if item is None:
            raise NotFound(f"no quarantined ticket {cmd.quarantine_id}", field="quarantine_id")
        await uow.shops.lock(item.shop_id)  # the shop first, as every upload does: no deadlock
        item = await uow.quarantine.get(cmd.quarantine_id, for_update=True)
        assert item is not None
        if item.status != "open":
            raise Conflict(f"ticket {cmd.quarantine_id} was already replayed", field="quarantine_id")
        if cmd.corrected is not None:
            corrected, _ = split_personal(cmd.corrected)
            if ticket_id(corrected) != item.client_txn_id and item.client_txn_id is not None:
                raise Invalid("a correction keeps the ticket's number", field="num_ticket")
            item = dataclasses.replace(item, ticket=corrected)
        [outcome] = await _replay([item], uow, sealer, clock.now())
        await uow.commit()
    return outcome


async def _replay(
    items: Sequence[Quarantined], uow: StoreSyncUnitOfWork, sealer: Sealer, at: datetime
) -> list[TicketOutcome]:
    by_shop: dict[str, list[Quarantined]] = {}
    for item in items:
        by_shop.setdefault(item.shop_id, []).append(item)
    outcomes = []
    for shop_id in sorted(by_shop):  # one lock order everywhere: no deadlock between replays
        shop = await uow.shops.lock(shop_id)
        # Under the lock, what is still open (an upload may have mapped some meanwhile).
        still_open = {i.quarantine_id for i in await uow.quarantine.open_items(shop_id=shop_id)}
        items_now = [i for i in by_shop[shop_id] if i.quarantine_id in still_open]
        tickets = [await _restored(item, sealer) for item in items_now]
        outcomes += await _map_and_record(shop, tickets, uow, sealer, at)
    return outcomes


async def _restored(item: Quarantined, sealer: Sealer) -> _Ticket:
    """A quarantined ticket with its customer as captured (contact details opened, if kept)."""
    stored = item.customer
    customer = None
    if stored is not None:
        fields = await sealer.open(Sealed(**stored["sealed"])) if stored.get("sealed") else None
        customer = TillCustomer(
            customer_id=stored.get("customer_id"),
            contact=Contact(**fields) if fields else None,
            marketing=stored["marketing"],
            partner_sharing=stored["partner_sharing"],
        )
    return _Ticket(item.ticket, customer, item.ticket_key)


def _split(raw: dict[str, Any]) -> _Ticket:
    ticket, customer = split_personal(raw)
    return _Ticket(ticket, customer, ticket_id(ticket) or f"sha256:{fingerprint(ticket)}")


async def _map_and_record(
    shop: Shop, tickets: list[_Ticket], uow: StoreSyncUnitOfWork, sealer: Sealer, at: datetime
) -> list[TicketOutcome]:
    assert shop.operator_id is not None
    skus = await uow.partner.skus(shop.operator_id, _codes(t.ticket for t in tickets))
    units = await uow.partner.units(_imeis(t.ticket for t in tickets))
    adapted = [adapt(t.ticket, t.customer, shop, skus, units, at) for t in tickets]
    mapped = [(t, a) for t, a in zip(tickets, adapted, strict=True) if isinstance(a, Submitted)]
    recorded = await record(shop, [a for _, a in mapped], uow, sealer)
    results: dict[int, TicketOutcome] = {}
    for (ticket, _), outcome in zip(mapped, recorded, strict=True):
        results[id(ticket)] = _mapped(ticket, outcome)
    await uow.quarantine.resolve(
        shop.shop_id, [(t.key, o.result) for (t, _), o in zip(mapped, recorded, strict=True)], at
    )
    unmappable = [(t, a) for t, a in zip(tickets, adapted, strict=True) if isinstance(a, Unmappable)]
    if unmappable:
        # What each quarantined ticket may keep of its customer is sealed in one call, then saved.
        requests = [r for t, _ in unmappable if (r := _sealing_request(shop, t)) is not None]
        sealed = await sealer.seal_all(requests) if requests else {}
        items = [_to_quarantine(shop, ticket, why, sealed) for ticket, why in unmappable]
        quarantine_ids = await uow.quarantine.put_all(items, at)
        for (ticket, why), quarantine_id in zip(unmappable, quarantine_ids, strict=True):
            results[id(ticket)] = TicketOutcome(ticket.key, "quarantined", None, quarantine_id, why.reason, why.field)
    return [results[id(t)] for t in tickets]


async def sku_mappings(operator_id: str, uow: StoreSyncUnitOfWork) -> list[SkuMapping]:
    """The operator's mapping table."""
    async with uow:
        if await uow.operators.get(operator_id) is None:
            raise NotFound(f"no operator {operator_id}", field="operator_id")
        return await uow.partner.all_skus(operator_id)


async def quarantined(
    uow: StoreSyncUnitOfWork,
    *,
    operator_id: str | None = None,
    shop_id: str | None = None,
    status: str | None = "open",
    limit: int = 200,
) -> list[Quarantined]:
    """Quarantined tickets, newest first."""
    async with uow:
        return await uow.quarantine.listing(operator_id=operator_id, shop_id=shop_id, status=status, limit=limit)


async def waiting_for_a_mapping(shop_id: str, uow: StoreSyncUnitOfWork) -> list[Quarantined]:
    """The shop's tickets still in quarantine, oldest first."""
    async with uow:
        return await uow.quarantine.open_items(shop_id=shop_id)


def _mapped(ticket: _Ticket, outcome: Outcome) -> TicketOutcome:
    return TicketOutcome(ticket.key, outcome.result, outcome.canonical_id, reason=outcome.detail)


def _to_quarantine(shop: Shop, ticket: _Ticket, why: Unmappable, sealed: Mapping[str, Sealed | None]) -> ToQuarantine:
    customer, subject_id = _kept_customer(shop, ticket, sealed)
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


def _sealing_request(shop: Shop, ticket: _Ticket) -> tuple[str, dict[str, str]] | None:
    """The contact details a quarantined ticket may keep (sealed): only where the policy lets its
    customer reach CRM."""
    customer = ticket.customer
    if customer is None or customer.contact is None or not decide(shop.policy, customer).allowed:
        return None
    fields = customer.contact.fields()
    return (derived_id("subject", shop.shop_id, ticket.key), fields) if fields else None


def _kept_customer(
    shop: Shop, ticket: _Ticket, sealed: Mapping[str, Sealed | None]
) -> tuple[dict[str, Any] | None, str | None]:
    """What a quarantined ticket may keep of its customer: consent always, identity only sealed
    and only where the policy lets it reach CRM."""
    customer = ticket.customer
    if customer is None:
        return None, None
    kept: dict[str, Any] = {"marketing": customer.marketing, "partner_sharing": customer.partner_sharing}
    if not decide(shop.policy, customer).allowed:
        return kept, None
    kept["customer_id"] = customer.customer_id
    if not (customer.contact and customer.contact.fields()):
        return kept, None
    subject_id = derived_id("subject", shop.shop_id, ticket.key)
    seal = sealed.get(subject_id)
    kept["sealed"] = seal.__dict__ if seal else None
    return kept, subject_id if seal else None


def _business_date(shop: Shop, ticket: dict[str, Any]) -> date | None:
    moment = parse_time(ticket.get("horodatage"))
    return shop.business_date(shop.to_utc(moment)) if moment is not None else None


def _codes(tickets: Any) -> set[str]:
    codes = set()
    for ticket in tickets:
        codes.add(str(ticket.get("code_article") or ""))
        for line in ticket.get("lignes") or []:
            if isinstance(line, dict):
                codes.add(str(line.get("code_article") or "").strip())
    return {c.strip() for c in codes if c.strip()}


def _imeis(tickets: Any) -> set[str]:
    imeis = set()
    for ticket in tickets:
        imeis.add(str(ticket.get("imei") or ""))
        for line in ticket.get("lignes") or []:
            if isinstance(line, dict):
                imeis.add(str(line.get("imei") or "").strip())
    return {i.strip() for i in imeis if i.strip()}
