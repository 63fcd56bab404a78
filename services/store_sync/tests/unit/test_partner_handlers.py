"""A partner till's tickets on the twin: mapped and recorded, or quarantined and replayed once fixed."""

from __future__ import annotations

from typing import Any

import pytest

from reloop_contracts import sales
from services.store_sync.tests.builders import register_paris, register_partner
from services.store_sync.tests.fakes import Twin
from store_sync.domain import commands
from store_sync.domain.errors import Conflict, Invalid, NotFound
from store_sync.domain.partner import SkuMapping
from store_sync.service_layer import partner
from store_sync.service_layer.partner_tickets import TicketOutcome


def _ticket(number: str, code: str = "TLC-CHG-20", **extra: Any) -> dict[str, Any]:
    return {
        "num_ticket": number,
        "type": "VENTE",
        "horodatage": "2026-11-20 10:00:00",
        "lignes": [{"num_ligne": 1, "code_article": code, "quantite": 1, "prix_unitaire_ttc": "19,90"}],
        **extra,
    }


async def _send(twin: Twin, shop_id: str, *tickets: dict[str, Any]) -> list[TicketOutcome]:
    command = commands.IngestPartnerTickets(shop_id, tickets)
    return await partner.ingest_partner(command, twin.uow(), twin.sealer, twin.clock)


async def _map(twin: Twin, code: str) -> list[TicketOutcome]:
    command = commands.MapPartnerSku("telco", code, "CHG-USB-C-20W", "accessory")
    return await partner.map_sku(command, twin.uow(), twin.sealer, twin.clock)


async def test_a_ticket_whose_code_is_unknown_is_quarantined_and_the_rest_recorded() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    await _map(twin, "TLC-CHG-20")
    known, unknown = await _send(twin, shop_id, _ticket("T-1"), _ticket("T-2", code="TLC-NEW"))
    assert (known.result, unknown.result) == ("recorded", "quarantined")
    assert (unknown.field, unknown.reason.startswith("unknown article code TLC-NEW")) == ("lignes.0.code_article", True)
    [waiting] = await partner.waiting_for_a_mapping(shop_id, twin.uow(), after=None, limit=100)
    assert (waiting.ticket_key, waiting.partner_sku) == ("T-2", "TLC-NEW")
    assert [s.pos_transaction_id for s in twin.store.published(sales.SaleRecorded)] == ["T-1"]


async def test_mapping_the_code_replays_the_quarantine_in_the_same_transaction() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    [quarantined] = await _send(twin, shop_id, _ticket("T-1"))
    [replayed] = await _map(twin, "TLC-CHG-20")
    assert (quarantined.result, replayed.result) == ("quarantined", "recorded")
    assert await partner.waiting_for_a_mapping(shop_id, twin.uow(), after=None, limit=100) == []
    [entry] = await partner.quarantined(twin.uow(), status="replayed")
    assert (entry.outcome, entry.status) == ("recorded", "replayed")
    assert await partner.sku_mappings("telco", twin.uow(), after=None, limit=100) == [
        SkuMapping("TLC-CHG-20", "CHG-USB-C-20W", "accessory")
    ]
    assert len(twin.store.published(sales.SaleRecorded)) == 1


async def test_a_ticket_sent_again_while_quarantined_keeps_one_entry() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    [first] = await _send(twin, shop_id, _ticket("T-1"))
    [again] = await _send(twin, shop_id, _ticket("T-1"))
    assert first.quarantine_id == again.quarantine_id
    [entry] = await partner.waiting_for_a_mapping(shop_id, twin.uow(), after=None, limit=100)
    assert entry.attempts == 2


async def test_a_corrected_ticket_is_replayed_by_hand_once() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    await _map(twin, "TLC-CHG-20")
    [quarantined] = await _send(twin, shop_id, _ticket("T-1", horodatage="hier"))
    assert quarantined.quarantine_id is not None
    replay = commands.ReplayQuarantined(quarantined.quarantine_id, _ticket("T-1"))
    outcome = await partner.replay(replay, twin.uow(), twin.sealer, twin.clock)
    assert outcome.result == "recorded"
    with pytest.raises(Conflict):
        await partner.replay(replay, twin.uow(), twin.sealer, twin.clock)
    assert len(twin.store.published(sales.SaleRecorded)) == 1


async def test_a_correction_must_keep_the_tickets_number() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    [quarantined] = await _send(twin, shop_id, _ticket("T-1"))
    assert quarantined.quarantine_id is not None
    replay = commands.ReplayQuarantined(quarantined.quarantine_id, _ticket("T-2"))
    with pytest.raises(Invalid) as refused:
        await partner.replay(replay, twin.uow(), twin.sealer, twin.clock)
    assert refused.value.field == "num_ticket"


async def test_a_quarantined_ticket_keeps_its_customer_sealed_only_where_the_policy_allows() -> None:
    twin = Twin()
    shop_id = await register_partner(twin)
    agreed = {"email": "ana@example.org", "optin_partage": "O"}
    refused = {"email": "bob@example.org"}
    await _send(twin, shop_id, _ticket("T-1", client=agreed), _ticket("T-2", client=refused))
    kept = {row.ticket_key: row for row in twin.tables.quarantine.values()}
    assert kept["T-1"].customer is not None
    assert kept["T-1"].customer["sealed"] is not None
    assert kept["T-2"].customer == {"marketing": False, "partner_sharing": False}
    assert all("client" not in row.ticket for row in kept.values()), "the customer block is never stored"
    replayed = await _map(twin, "TLC-CHG-20")
    assert [o.result for o in replayed] == ["recorded", "recorded"]
    first = next(s for s in twin.store.published(sales.SaleRecorded) if s.pos_transaction_id == "T-1")
    assert first.customer is not None
    assert first.customer.personal is not None
    assert await twin.opened(first.customer.personal) == {"email": "ana@example.org"}


async def test_a_shop_on_reloops_format_cannot_send_partner_tickets() -> None:
    twin = Twin()
    shop_id = await register_paris(twin)
    with pytest.raises(Invalid) as refused:
        await _send(twin, shop_id, _ticket("T-1"))
    assert refused.value.field == "shop_id"


async def test_the_mapping_table_of_an_unknown_operator_is_not_found() -> None:
    with pytest.raises(NotFound):
        await partner.sku_mappings("nobody", Twin().uow(), after=None, limit=100)
