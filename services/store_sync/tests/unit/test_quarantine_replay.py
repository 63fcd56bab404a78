"""Replaying an operator's quarantine on the twin: load once (every shop involved locked together,
the kept customers opened in one call), decide, save once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reloop_contracts import sales
from reloop_shared.unit_of_work import TrackedAggregates
from services.store_sync.tests.builders import NOW, partner_shop, register_partner
from services.store_sync.tests.fakes import FakeShops, InMemoryStoreSyncUnitOfWork, StoreSyncTables, Twin
from store_sync.adapters.translators import to_contract
from store_sync.domain import commands
from store_sync.domain.events import DomainEvent
from store_sync.domain.journal import Submitted
from store_sync.domain.partner import SkuMapping, Unmappable
from store_sync.domain.policy import Sealed
from store_sync.domain.shops import Shop
from store_sync.service_layer import partner, registry
from store_sync.service_layer.partner_tickets import Mappings, Ticket, decided, uploaded
from store_sync.service_layer.ports import Sealer

AGREED = {"email": "ana@example.org", "optin_partage": "O"}


def _ticket(number: str, code: str = "TLC-CHG-20", **extra: Any) -> dict[str, Any]:
    return {
        "num_ticket": number,
        "type": "VENTE",
        "horodatage": "2026-11-20 10:00:00",
        "lignes": [{"num_ligne": 1, "code_article": code, "quantite": 1, "prix_unitaire_ttc": "19,90"}],
        **extra,
    }


class CountingShops(FakeShops):
    """The twin's shops, counting how often shops are locked and how."""

    def __init__(self, tables: StoreSyncTables, seen: TrackedAggregates[DomainEvent], calls: list[str]) -> None:
        super().__init__(tables, seen)
        self.calls = calls

    async def lock(self, shop_id: str) -> Shop:
        self.calls.append(f"lock {shop_id}")
        return await super().lock(shop_id)

    async def lock_all(self, shop_ids: Iterable[str]) -> list[Shop]:
        self.calls.append(f"lock_all {sorted(shop_ids)}")
        return await super().lock_all(shop_ids)


class CountingSealer:
    """The twin's sealer, counting the calls that open sealed contact details."""

    def __init__(self, sealer: Sealer) -> None:
        self.sealer = sealer
        self.opened: list[int] = []

    async def seal_all(self, requests: Sequence[tuple[str, dict[str, str]]]) -> dict[str, Sealed | None]:
        return await self.sealer.seal_all(requests)

    async def open_all(self, sealed: Sequence[Sealed]) -> list[dict[str, str] | None]:
        self.opened.append(len(sealed))
        return await self.sealer.open_all(sealed)

    async def destroy(self, subject_ids: Sequence[str]) -> int:
        return await self.sealer.destroy(subject_ids)


def _counting_uow(twin: Twin, calls: list[str]) -> InMemoryStoreSyncUnitOfWork:
    class Counting(InMemoryStoreSyncUnitOfWork):
        def bind(self, tables: StoreSyncTables) -> None:
            super().bind(tables)
            self.shops = CountingShops(tables, self.seen, calls)

    return Counting(twin.outbox, to_contract, store=twin.store)


async def _two_shops_of_the_operator(twin: Twin) -> tuple[str, str]:
    lyon = await register_partner(twin)
    command = commands.RegisterShop("TELCO-ANNECY-2", "Telco Annecy", "partner_shop", "FR", "Europe/Paris", "telco")
    annecy, _ = await registry.register_shop(command, twin.uow(), twin.clock)
    return annecy.shop_id, lyon


async def _send(twin: Twin, shop_id: str, *tickets: dict[str, Any]) -> None:
    command = commands.IngestPartnerTickets(shop_id, tickets)
    await partner.ingest_partner(command, twin.uow(), twin.sealer, twin.clock)


async def _mapped_in_the_table(twin: Twin, code: str) -> None:
    """The code mapped in the operator's table, with no replay (as if added before the ticket came)."""
    async with twin.uow() as uow:
        await uow.partner.map_sku("telco", SkuMapping(code, "CHG-USB-C-20W", "accessory"), twin.clock.now())
        await uow.commit()


async def test_a_mapping_replays_every_shop_of_the_operator_locking_them_together_and_opening_customers_once() -> None:
    twin = Twin()
    annecy, lyon = await _two_shops_of_the_operator(twin)
    await _send(twin, lyon, _ticket("L-1", client=AGREED), _ticket("L-2"))
    await _send(twin, annecy, _ticket("A-1", client={**AGREED, "email": "bo@example.org"}))
    calls: list[str] = []
    sealer = CountingSealer(twin.sealer)
    mapping = commands.MapPartnerSku("telco", "TLC-CHG-20", "CHG-USB-C-20W", "accessory")
    outcomes = await partner.map_sku(mapping, _counting_uow(twin, calls), sealer, twin.clock)
    assert calls == [f"lock_all {sorted([annecy, lyon])}"], "one statement locks every shop involved"
    assert sealer.opened == [2], "both kept customers opened in one call"
    assert [(o.ticket, o.result) for o in outcomes] == [("A-1", "recorded"), ("L-1", "recorded"), ("L-2", "recorded")]
    assert await partner.waiting_for_a_mapping(lyon, twin.uow(), after=None, limit=100) == []
    assert await partner.waiting_for_a_mapping(annecy, twin.uow(), after=None, limit=100) == []
    emails = {}
    for sale in twin.store.published(sales.SaleRecorded):
        personal = sale.customer.personal if sale.customer else None
        emails[sale.pos_transaction_id] = await twin.opened(personal) if personal else None
    assert emails == {"A-1": {"email": "bo@example.org"}, "L-1": {"email": "ana@example.org"}, "L-2": None}


async def test_a_replay_leaves_what_still_does_not_map_in_quarantine_with_its_new_reason() -> None:
    twin = Twin()
    annecy, lyon = await _two_shops_of_the_operator(twin)
    await _send(twin, lyon, _ticket("L-1"), _ticket("L-2", code="TLC-NEW"))
    await _send(twin, annecy, _ticket("A-1", horodatage="hier"))
    mapping = commands.MapPartnerSku("telco", "TLC-CHG-20", "CHG-USB-C-20W", "accessory")
    outcomes = await partner.map_sku(mapping, twin.uow(), twin.sealer, twin.clock)
    assert [(o.ticket, o.result, o.field) for o in outcomes] == [
        ("A-1", "quarantined", "horodatage"),
        ("L-1", "recorded", None),
        ("L-2", "quarantined", "lignes.0.code_article"),
    ]
    [still] = await partner.waiting_for_a_mapping(lyon, twin.uow(), after=None, limit=100)
    assert (still.ticket_key, still.attempts, still.partner_sku) == ("L-2", 2, "TLC-NEW")
    [entry] = await partner.quarantined(twin.uow(), shop_id=lyon, status="replayed")
    assert (entry.ticket_key, entry.outcome) == ("L-1", "recorded")


async def test_a_replay_by_hand_locks_its_shop_once_and_opens_its_kept_customer_once() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    await _send(twin, shop_id, _ticket("T-1", client=AGREED))
    [item] = await partner.waiting_for_a_mapping(shop_id, twin.uow(), after=None, limit=100)
    await _mapped_in_the_table(twin, "TLC-CHG-20")
    calls: list[str] = []
    sealer = CountingSealer(twin.sealer)
    replay = commands.ReplayQuarantined(item.quarantine_id)
    outcome = await partner.replay(replay, _counting_uow(twin, calls), sealer, twin.clock)
    assert (outcome.ticket, outcome.result) == ("T-1", "recorded")
    assert (calls, sealer.opened) == ([f"lock_all {[shop_id]}"], [1])
    [sold] = twin.store.published(sales.SaleRecorded)
    assert sold.customer is not None
    assert sold.customer.personal is not None
    assert await twin.opened(sold.customer.personal) == {"email": "ana@example.org"}


def test_the_decision_is_pure_each_ticket_mapped_or_told_why_not() -> None:
    shop = partner_shop()
    tickets: list[Ticket] = [uploaded(shop, _ticket("T-1")), uploaded(shop, _ticket("T-2", code="TLC-NEW"))]
    mappings = Mappings({"telco": {"TLC-CHG-20": SkuMapping("TLC-CHG-20", "CHG-USB-C-20W", "accessory")}}, {})
    known, unknown = decided(tickets, mappings, NOW)
    assert isinstance(known.adapted, Submitted)
    assert isinstance(unknown.adapted, Unmappable)
    assert unknown.adapted.partner_sku == "TLC-NEW"
