"""Apply a batch of observations (sales, returns, order steps...) to the customer read model.

One path for every channel: a shop sale and an online sale are the same observation. The whole
batch is applied with a handful of set-based statements: who each event is about (ownership and
consent first, then the sealed contact details opened in bulk and matched by keyed hashes), how
that changes the profiles, then the timeline, consents, contacts and analytics facts.

The writes are set-based SQL, tuned for a rebuild of millions of events: the projection runs on
PostgreSQL only, and its tests are the connected ones (an in-memory copy of these statements would
be a second implementation of the projection, proving nothing about the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crm.adapters.postgres_unit_of_work import PostgresCrmUnitOfWork
from crm.adapters.projection_repository import (
    ConsentRow,
    ContactRow,
    GradingRow,
    RedemptionRow,
    RepairTicketRow,
    ReturnRow,
    Rows,
    SaleRow,
    ShopTradeInRow,
    SubscriptionRow,
    SubscriptionStatusRow,
    TimelineRow,
    VoucherRow,
    rows_statement,
)
from crm.domain import identifiers as ident
from crm.domain.analytics import postal_prefix
from crm.domain.consent_and_ownership import may_use
from crm.domain.identity import Sighting, resolve
from crm.domain.matching import matching_hash, normalise_email, normalise_phone, tombstone
from crm.domain.observations import Customer, Observation
from crm.service_layer.merging import record_automatic_merges
from crm.service_layer.ports import KeyVault
from crm.service_layer.regrouping import regroup


@dataclass(slots=True)
class _Seen:
    """One observation as the projection understood it."""

    observation: Observation
    customer: Customer | None
    identifiers: tuple[str, ...] = ()
    fields: dict[str, str] | None = None


async def apply_observations(batch: Sequence[Observation], uow: PostgresCrmUnitOfWork, vault: KeyVault) -> None:
    if batch:
        async with uow:
            await _apply(batch, uow, vault)
            await uow.commit()


async def _apply(batch: Sequence[Observation], uow: PostgresCrmUnitOfWork, vault: KeyVault) -> None:
    pepper = await vault.pepper()
    seen = [_Seen(o, o.customer if o.customer is not None and may_use(o.customer) else None) for o in batch]
    await _open_contacts(seen, vault)
    for item in seen:
        item.identifiers = _identifiers(item, pepper)
    # Above, nothing depends on the read model. Below, erasures wait for this batch (or it for
    # them), and batches write the rows only they write (an event's own entry and facts) side by
    # side.
    await uow.erasure.hold_off_erasures()
    gone, erased_sales, erased_threads = await _forget_the_erased(seen, uow, pepper)
    if erased_sales or erased_threads:
        # Steps of those sales (trade-ins, vouchers) that batches in flight are writing must land
        # before they go.
        await uow.erasure.exclude_everyone()
    own, shared = _rows(seen, gone)
    await uow.projection.write(own)
    if erased_sales:
        digests = [tombstone(pepper, f"sale:{s}") for s in erased_sales]
        await uow.erasure.tombstone(digests, "sale-of-an-erased-person", batch[0].occurred_at)
        await uow.projection.drop_entries_of_sales(erased_sales)
    if erased_threads:
        digests = [tombstone(pepper, f"thread:{t}") for t in erased_threads]
        await uow.erasure.tombstone(digests, "thread-of-an-erased-person", batch[0].occurred_at)
        await uow.projection.drop_entries_of_threads(erased_threads)
    sightings = [
        Sighting(s.identifiers, s.observation.occurred_at, s.observation.event_id) for s in seen if s.identifiers
    ]
    if not sightings:
        return
    # Identities last, one batch at a time: the lock is held from here to the commit. Consents and
    # contacts too: other batches write the same people's (they would wait for this one anyway).
    await uow.identity.lock()
    await uow.projection.write(shared)
    known = await uow.identity.known(sorted({i for s in sightings for i in s.identifiers}))
    resolution = resolve(sightings, known, lambda founding: ident.profile_id_for(pepper, founding))
    before = await uow.identity.identifiers_of({p for m in resolution.merges for p in m.profile_ids})
    await uow.identity.apply(resolution)
    for careful in resolution.careful:
        await uow.identity.ensure({i: resolution.first_seen.get(i) for i in careful})
        await regroup(uow, careful, pepper)
    await record_automatic_merges(uow, resolution.merges, before, batch)


async def _forget_the_erased(
    seen: list[_Seen], uow: PostgresCrmUnitOfWork, pepper: bytes
) -> tuple[set[str], list[str], list[str]]:
    """Events still on the topics about an erased person become anonymous; sales they made, and
    their trade-ins, vouchers, repair subscriptions and tickets (threads), are remembered as
    erased, so later steps of those (a delivery, a return, a redemption, a renewal) stay off the
    timeline."""
    if not await uow.erasure.any_erased():
        return set(), [], []
    hashes: dict[str, str] = {}
    for item in seen:
        customer = item.customer
        if customer is not None:
            if customer.account_id is not None:
                hashes.setdefault(f"account:{customer.account_id}", "")
            if customer.subject_id is not None:
                hashes.setdefault(f"subject:{customer.subject_id}", "")
        entry = item.observation.entry
        if entry is not None and entry.sale_id is not None and entry.kind != "purchase":
            hashes.setdefault(f"sale:{entry.sale_id}", "")
        if entry is not None and entry.thread is not None:
            hashes.setdefault(f"thread:{entry.thread}", "")
    for name in hashes:
        hashes[name] = tombstone(pepper, name)
    erased = await uow.erasure.erased(hashes.values())
    gone = {name for name, digest in hashes.items() if digest in erased}
    erased_sales: list[str] = []
    erased_threads: list[str] = []
    if gone:
        for item in seen:
            customer = item.customer
            if customer is not None and (
                f"account:{customer.account_id}" in gone or f"subject:{customer.subject_id}" in gone
            ):
                item.customer, item.identifiers, item.fields = None, (), None
                if item.observation.sale is not None:
                    erased_sales.append(item.observation.sale.sale_id)
                entry = item.observation.entry
                if entry is not None and entry.thread is not None:
                    erased_threads.append(entry.thread)
    return gone, erased_sales, erased_threads


async def _open_contacts(seen: list[_Seen], vault: KeyVault) -> None:
    holders = [s for s in seen if s.customer is not None and s.customer.sealed is not None]
    opened = await vault.open_many([s.customer.sealed for s in holders if s.customer and s.customer.sealed])
    for holder, fields in zip(holders, opened, strict=True):
        holder.fields = fields


def _identifiers(item: _Seen, pepper: bytes) -> tuple[str, ...]:
    """Strongest first (account, subject, e-mail, phone): the first is the event's anchor."""
    customer = item.customer
    if customer is None:
        return ()
    found = []
    if customer.account_id is not None:
        found.append(f"account:{customer.account_id}")
    if customer.subject_id is not None:
        found.append(f"subject:{customer.subject_id}")
    fields = item.fields
    if fields:
        if email := fields.get("email"):
            found.append("email:" + matching_hash(pepper, "email", normalise_email(email)))
        if phone := fields.get("phone"):
            found.append("phone:" + matching_hash(pepper, "phone", normalise_phone(phone)))
    return tuple(found)


def _rows(seen: list[_Seen], gone: set[str]) -> tuple[Rows | None, Rows | None]:
    """The rows only this batch writes (entries, facts), and those about people (consents, contacts)."""
    timeline: list[TimelineRow] = []
    consents: list[ConsentRow] = []
    contacts: dict[str, ContactRow] = {}
    sales: list[SaleRow] = []
    returns: list[ReturnRow] = []
    vouchers: list[VoucherRow] = []
    redemptions: list[RedemptionRow] = []
    shop_trade_ins: list[ShopTradeInRow] = []
    gradings: list[GradingRow] = []
    subscriptions: list[SubscriptionRow] = []
    subscription_statuses: list[SubscriptionStatusRow] = []
    repair_tickets: list[RepairTicketRow] = []
    for item in seen:
        o, customer, fields = item.observation, item.customer, item.fields
        anchor = item.identifiers[0] if item.identifiers else None
        entry = o.entry
        if (
            entry is not None
            and f"sale:{entry.sale_id}" not in gone
            and f"thread:{entry.thread}" not in gone
            and (anchor or entry.kind != "purchase")
        ):
            timeline.append(
                (
                    entry.entry_key,
                    entry.kind,
                    entry.occurred_at,
                    anchor,
                    entry.sale_id,
                    entry.channel,
                    entry.location_id,
                    entry.market,
                    o.source,
                    o.event_id,
                    entry.detail,
                    entry.thread,
                )
            )
        if customer is not None and anchor is not None:
            consent = customer.consent
            if consent is not None:
                key = f"{anchor}|{consent.captured_at.isoformat()}|{consent.captured_by}"
                consents.append(
                    (
                        key,
                        anchor,
                        consent.captured_at,
                        consent.captured_by,
                        customer.data_owner,
                        o.source,
                        None,
                        consent.marketing,
                        consent.partner_sharing,
                    )
                )
            sealed = customer.sealed
            if sealed is not None and fields is not None and customer.subject_id is not None:
                row = (
                    customer.subject_id,
                    customer.data_owner,
                    customer.captured_by,
                    o.occurred_at,
                    o.event_id,
                    sealed.nonce,
                    sealed.ciphertext,
                )
                latest = contacts.get(customer.subject_id)
                if latest is None or (row[3], row[4]) > (latest[3], latest[4]):
                    contacts[customer.subject_id] = row
        if (sale := o.sale) is not None:
            catchment = (
                postal_prefix(fields.get("delivery_postal_code") or fields.get("postal_code")) if fields else None
            )
            sales.append(
                (
                    sale.sale_id,
                    sale.channel,
                    sale.location_id,
                    sale.market,
                    sale.sold_at,
                    catchment,
                    sale.currency,
                    sale.total_minor,
                    sale.device_units,
                    sale.accessory_units,
                    sale.service_units,
                )
            )
        if (back := o.returned) is not None:
            returns.append(
                (
                    back.return_id,
                    back.sale_id,
                    back.channel,
                    back.location_id,
                    back.market,
                    back.returned_at,
                    back.units,
                    back.currency,
                    back.refund_minor,
                )
            )
        if (voucher := o.voucher) is not None:
            vouchers.append(voucher)
        if (r := o.redemption) is not None:
            redemptions.append((f"{r.voucher_id}|{r.sale_id}", *r))
        if (shop := o.shop_trade_in) is not None:
            shop_trade_ins.append(shop)
        if (grading := o.grading) is not None:
            gradings.append(grading)
        if (subscription := o.subscription) is not None:
            subscriptions.append(subscription)
        if (status := o.subscription_status) is not None:
            subscription_statuses.append((f"{status.subscription_id}|{status.status}|{status.at.isoformat()}", *status))
        if (ticket := o.repair_ticket) is not None:
            repair_tickets.append(ticket)
    return (
        rows_statement(
            timeline,
            (),
            (),
            sales,
            returns,
            vouchers=vouchers,
            redemptions=redemptions,
            shop_trade_ins=shop_trade_ins,
            gradings=gradings,
            subscriptions=subscriptions,
            subscription_statuses=subscription_statuses,
            repair_tickets=repair_tickets,
        ),
        rows_statement((), consents, list(contacts.values()), (), ()),
    )
