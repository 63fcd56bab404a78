"""The partner's end-of-day CSV: what maps goes through, what does not is quarantined with the
reason, visible, and replayed once its mapping is added. Nothing is dropped, nothing doubles."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from reloop_contracts import sales
from reloop_localstack.testing import api, outbox_drained, running
from services.store_sync.tests.support import (
    CHARGER,
    all_events,
    back_office,
    bearer,
    operator,
    settings,
    shop,
    unique,
    yesterday_at,
)
from store_sync.bootstrap import build

pytestmark = pytest.mark.connected

CASE = "CASE-IPH13-CLEAR"
HEADER = "num_ticket;type;horodatage;num_ligne;code_article;quantite;prix_unitaire_ttc;remise_ttc;mode_reglement"


def _export(day: str) -> str:
    return "\n".join(
        [
            HEADER,
            f"T-1;VENTE;{day} 10:02:00;1;TLC-CHG-20;1;19,90;;CB",
            f"T-2;VENTE;{day} 11:40:00;1;TLC-CASE-X;1;24,90;5,00;ESP",
            f"T-3;VENTE;{day} 16:15:00;1;TLC-CHG-20;2;19,90;;CB",
            f"T-3;VENTE;{day} 16:15:00;2;TLC-CHG-20;1;19,90;1,90;CB",
            "",
        ]
    )


async def test_a_partner_csv_with_an_unknown_sku_quarantines_that_line_only_and_replays_it_after_its_mapping_is_added(
    env: dict[str, str], database_url: str, new_database: Callable[[], Awaitable[str]]
) -> None:
    keyvault = await new_database()
    runtime, app = build(settings(env, database_url, keyvault))
    operator_id, shop_id = unique("telco"), unique("TELCO-LYON")
    export = _export(yesterday_at(9).strftime("%d/%m/%Y"))
    csv = {"Content-Type": "text/csv"}
    async with running(runtime), api(app) as client:
        await operator(client, operator_id)
        key = await shop(client, shop_id, kind="partner_shop", operator_id=operator_id)
        mapped = await client.put(
            f"/operators/{operator_id}/sku-mappings/TLC-CHG-20",
            json={"sku": CHARGER, "kind": "accessory"},
            headers=back_office(),
        )
        first = await client.post(f"/shops/{shop_id}/partner/exports", content=export, headers={**csv, **bearer(key)})
        seen_by_back_office = await client.get(
            "/quarantine", params={"operator_id": operator_id}, headers=back_office()
        )
        seen_by_shop = await client.get(f"/shops/{shop_id}/quarantine", headers=bearer(key))
        fixed = await client.put(
            f"/operators/{operator_id}/sku-mappings/TLC-CASE-X",
            json={"sku": CASE, "kind": "accessory"},
            headers=back_office(),
        )
        still_open = await client.get("/quarantine", params={"operator_id": operator_id}, headers=back_office())
        closed = await client.get(
            "/quarantine", params={"operator_id": operator_id, "status": "replayed"}, headers=back_office()
        )
        again = await client.post(f"/shops/{shop_id}/partner/exports", content=export, headers={**csv, **bearer(key)})
        await outbox_drained(database_url)
    assert mapped.status_code == 200, mapped.text
    assert first.status_code == 200, first.text
    assert (first.json()["recorded"], first.json()["quarantined"]) == (2, 1)
    [held] = seen_by_back_office.json()["items"]
    assert (held["ticket_key"], held["partner_sku"], held["field"]) == ("T-2", "TLC-CASE-X", "lignes.0.code_article")
    assert "TLC-CASE-X" in held["reason"]
    assert [i["quarantine_id"] for i in seen_by_shop.json()["items"]] == [held["quarantine_id"]]
    assert fixed.status_code == 200, fixed.text
    assert [(r["ticket"], r["result"]) for r in fixed.json()["replayed"]] == [("T-2", "recorded")]
    assert still_open.json() == {"items": [], "next_cursor": None}
    assert [(i["ticket_key"], i["outcome"]) for i in closed.json()["items"]] == [("T-2", "recorded")]
    assert (again.json()["duplicates"], again.json()["quarantined"]) == (3, 0)
    found = await all_events(
        env, sales.TRANSACTIONS, lambda e: isinstance(e, sales.SaleRecorded) and e.location_id == shop_id, expect=3
    )
    by_ticket = {e.pos_transaction_id or "": e for e in found if isinstance(e, sales.SaleRecorded)}
    assert sorted(by_ticket) == ["T-1", "T-2", "T-3"]
    assert len(found) == 3
    replayed = by_ticket["T-2"]
    assert replayed.channel == "partner_shop"
    assert [(line.sku, line.unit_price.amount_minor, line.discount) for line in replayed.lines] == [
        (CASE, 2490, replayed.lines[0].discount)
    ]
    assert replayed.total.amount_minor == 1990, "24.90 VAT included, less a 5.00 discount"
    assert by_ticket["T-3"].total.amount_minor == 3 * 1990 - 190
