"""The partner till's end-of-day CSV export, read into tickets of the `telco_pos` format.

Semicolon-separated, one row per ticket line, a header row naming the columns (any order):

    num_ticket;type;horodatage;num_ligne;code_article;quantite;prix_unitaire_ttc;remise_ttc;
    imei;mode_reglement;ticket_origine;motif

A sale or return spans as many rows as it has lines; a trade-in (REPRISE) or repair (SAV) is
one row (`prix_unitaire_ttc` is the payout or the quote, `motif` the condition or the fault).
The export carries no customer data. A row that cannot be read makes its ticket unmappable
(quarantined with the row number); only a file without the needed columns is refused whole.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from store_sync.domain.errors import Invalid

REQUIRED = ("num_ticket", "type", "horodatage", "code_article", "quantite", "prix_unitaire_ttc")
_TICKET_FIELDS = ("type", "horodatage", "ticket_origine")


def tickets_from_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise Invalid(f"the export lacks the column(s) {', '.join(missing)}", field="header")
    reader.fieldnames = columns
    tickets: dict[str, dict[str, Any]] = {}
    for row_number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for k, v in row.items() if k is not None):
            continue
        number = (row.get("num_ticket") or "").strip() or f"(row {row_number})"
        ticket = tickets.setdefault(number, {"num_ticket": number, "lignes": []})
        if None in row or any(v is None for v in row.values()):
            ticket["type"] = f"(row {row_number} has {len(columns)} columns expected)"
            continue
        _merge(ticket, row, row_number)
    return list(tickets.values())


def _merge(ticket: dict[str, Any], row: dict[str, str], row_number: int) -> None:
    values = {k: v.strip() for k, v in row.items()}
    for name in _TICKET_FIELDS:
        if values.get(name) and ticket.setdefault(name, values[name]) != values[name]:
            ticket["type"] = f"(row {row_number} disagrees with the ticket's {name})"
    if values.get("type") in ("REPRISE", "SAV"):
        ticket.update(
            imei=values.get("imei", ""),
            code_article=values.get("code_article", ""),
            mode_paiement=values.get("mode_reglement", ""),
        )
        if values["type"] == "REPRISE":
            ticket.update(montant_reprise_ttc=values.get("prix_unitaire_ttc", ""), etat=values.get("motif", ""))
        else:
            ticket.update(devis_ttc=values.get("prix_unitaire_ttc", ""), panne=values.get("motif", ""))
        return
    if values.get("motif"):
        ticket["motif"] = values["motif"]
    if values.get("mode_reglement") and not ticket.get("reglements"):
        ticket["reglements"] = [{"mode": values["mode_reglement"]}]
    ticket["lignes"].append(
        {
            "num_ligne": values.get("num_ligne") or str(len(ticket["lignes"]) + 1),
            "code_article": values.get("code_article", ""),
            "quantite": values.get("quantite", ""),
            "prix_unitaire_ttc": values.get("prix_unitaire_ttc", ""),
            "remise_ttc": values.get("remise_ttc", ""),
            "imei": values.get("imei", ""),
        }
    )
