"""The partner till's format, mapped through the operator's table; what cannot be mapped says why."""

from __future__ import annotations

from typing import Any

from services.store_sync.tests.builders import NOW, partner_shop
from store_sync.domain.journal import Submitted
from store_sync.domain.partner import SkuMapping, Unmappable, adapt, split_personal
from store_sync.domain.partner_csv import tickets_from_csv
from store_sync.domain.transactions import Return, Sale, TradeIn

SKUS = {
    "TLC-CHG-20": SkuMapping("TLC-CHG-20", "CHG-USB-C-20W", "accessory"),
    "TLC-IPH13": SkuMapping("TLC-IPH13", "IPH13-128-BLK-EX", "refurbished_device"),
}
UNITS = {"356938035643809": "U-42"}


def _ticket(**extra: Any) -> dict[str, Any]:
    return {
        "num_ticket": "T-000123",
        "type": "VENTE",
        "horodatage": "20/11/2026 14:32:10",
        "lignes": [
            {
                "num_ligne": 1,
                "code_article": "TLC-IPH13",
                "quantite": 1,
                "prix_unitaire_ttc": "459,00",
                "imei": "356938035643809",
            },
            {
                "num_ligne": 2,
                "code_article": "TLC-CHG-20",
                "quantite": "2",
                "prix_unitaire_ttc": "19,90",
                "remise_ttc": "4,00",
            },
        ],
        "reglements": [{"mode": "CB", "montant_ttc": "494,80"}],
        **extra,
    }


def _adapt(ticket: dict[str, Any]) -> Submitted | Unmappable:
    raw, customer = split_personal(ticket)
    return adapt(raw, customer, partner_shop(), SKUS, UNITS, NOW)


def test_a_partner_sale_maps_to_reloop_skus_units_and_exact_vat_included_amounts() -> None:
    mapped = _adapt(_ticket())
    assert isinstance(mapped, Submitted)
    sale = mapped.txn
    assert isinstance(sale, Sale)
    assert [(line.sku, line.kind, line.unit_id) for line in sale.lines] == [
        ("IPH13-128-BLK-EX", "refurbished_device", "U-42"),
        ("CHG-USB-C-20W", "accessory", None),
    ]
    assert sale.lines[1].amount.amount_minor == 2 * 1990 - 400
    assert sale.total.amount_minor == 45900 + 3580
    assert [(p.method, p.amount.amount_minor) for p in sale.payments] == [("card", 49480)]
    assert sale.occurred_at.isoformat() == "2026-11-20T13:32:10+00:00"  # Paris winter time
    assert mapped.source == "telco_pos"


def test_an_unknown_article_code_is_unmappable_naming_the_code_and_the_field() -> None:
    ticket = _ticket()
    ticket["lignes"][1]["code_article"] = "TLC-NEW-CASE"
    why = _adapt(ticket)
    assert isinstance(why, Unmappable)
    assert (why.partner_sku, why.field, why.client_txn_id) == ("TLC-NEW-CASE", "lignes.1.code_article", "T-000123")


def test_a_bad_field_is_unmappable_naming_it() -> None:
    for field, value, path in [
        ("horodatage", "hier", "horodatage"),
        ("reglements", [{"mode": "BITCOIN"}], "reglements.0.mode"),
        ("total_ttc", "1,00", "total_ttc"),
    ]:
        why = _adapt(_ticket(**{field: value}))
        assert isinstance(why, Unmappable), field
        assert why.field == path
    ticket = _ticket()
    ticket["lignes"][0]["prix_unitaire_ttc"] = "459,001"
    why = _adapt(ticket)
    assert isinstance(why, Unmappable)
    assert why.field == "lignes.0.prix_unitaire_ttc"


def test_contact_details_leave_the_ticket_before_anything_is_kept() -> None:
    raw, customer = split_personal(
        _ticket(client={"email": "ana@example.org", "telephone": "0612345678", "optin_partage": "O"})
    )
    assert "client" not in raw
    assert customer is not None
    assert customer.contact is not None
    assert customer.contact.email == "ana@example.org"
    assert (customer.partner_sharing, customer.marketing) == (True, False)


def test_the_same_ticket_resent_has_the_same_fingerprint_whatever_its_customer_block() -> None:
    first = _adapt(_ticket(client={"email": "ana@example.org"}))
    again = _adapt(_ticket())
    assert isinstance(first, Submitted)
    assert isinstance(again, Submitted)
    assert first.fingerprint == again.fingerprint


HEADER = "num_ticket;type;horodatage;num_ligne;code_article;quantite;prix_unitaire_ttc;remise_ttc;imei;mode_reglement"
CSV = f"""{HEADER};ticket_origine;motif
T-1;VENTE;2026-11-20 10:00:00;1;TLC-CHG-20;1;19,90;;;ESP;;
T-2;VENTE;2026-11-20 11:00:00;1;TLC-IPH13;1;459,00;;356938035643809;CB;;
T-2;VENTE;2026-11-20 11:00:00;2;TLC-CHG-20;1;19,90;;;CB;;
T-3;RETOUR;2026-11-20 12:00:00;1;TLC-CHG-20;1;19,90;;;ESP;T-1;ne charge pas
T-4;REPRISE;2026-11-20 13:00:00;1;;1;120,00;;356938035643809;BON;;ecran raye
T-5;VENTE;2026-11-20 14:00:00;1;TLC-CHG-20;1
"""


def test_the_csv_export_groups_rows_into_tickets_of_the_same_format() -> None:
    tickets = tickets_from_csv(CSV)
    assert [t["num_ticket"] for t in tickets] == ["T-1", "T-2", "T-3", "T-4", "T-5"]
    shop = partner_shop()
    mapped = [adapt(t, None, shop, SKUS, {"356938035643809": "U-42"}, NOW) for t in tickets]
    sale_two = mapped[1]
    assert isinstance(sale_two, Submitted)
    assert isinstance(sale_two.txn, Sale)
    assert sale_two.txn.total.amount_minor == 47890
    assert sale_two.txn.payments[0].amount.amount_minor == 47890
    ret = mapped[2]
    assert isinstance(ret, Submitted)
    assert isinstance(ret.txn, Return)
    assert ret.txn.sale_txn_id == "T-1"
    trade_in = mapped[3]
    assert isinstance(trade_in, Submitted)
    assert isinstance(trade_in.txn, TradeIn)
    assert (trade_in.txn.payout.amount_minor, trade_in.txn.payout_method) == (12000, "store_credit")
    short_row = mapped[4]
    assert isinstance(short_row, Unmappable), "a row with missing columns is quarantined, not guessed"
