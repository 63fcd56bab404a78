"""The partner operator's till format (`telco_pos`), mapped to reloop's transactions.

The operator's tills speak their own language: French field names, their own article codes
(mapped to reloop SKUs per operator by the mapping table), decimal prices as text including
VAT ('459,00'), local timestamps, device lines identified by IMEI rather than by reloop's unit
id. A ticket that cannot be mapped (an unknown article code or IMEI, a bad field) is not an
error of the upload: it comes back as `Unmappable` with the reason, to be quarantined and
replayed once the mapping is fixed.

A ticket (JSON, or grouped from the CSV end-of-day export by `partner_csv`):

    num_ticket, type (VENTE | RETOUR | REPRISE | SAV), horodatage ('2026-11-20 14:32:10', the
    shop's local time, or ISO 8601 with an offset), lignes [{num_ligne, code_article, quantite,
    prix_unitaire_ttc, remise_ttc, imei}], reglements [{mode, montant_ttc}], total_ttc,
    ticket_origine and motif (RETOUR), imei / code_article / etat / montant_reprise_ttc /
    mode_paiement (REPRISE), imei / code_article / panne / devis_ttc (SAV),
    client {id_client_reloop, email, telephone, nom, optin_marketing, optin_partage}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reloop_contracts.amounts import InvalidMoney, Money
from store_sync.domain.errors import StoreSyncError
from store_sync.domain.idempotency import check_client_txn_id, fingerprint
from store_sync.domain.journal import Submitted
from store_sync.domain.policy import Contact, TillCustomer
from store_sync.domain.rules import checked
from store_sync.domain.shops import Shop
from store_sync.domain.till_amounts import parse_amount
from store_sync.domain.transactions import (
    DEVICE,
    Device,
    Payment,
    RepairDropOff,
    Return,
    ReturnLine,
    Sale,
    SaleLine,
    TradeIn,
    Transaction,
)

FORMAT = "telco_pos"
TENDERS = {"CB": "card", "ESP": "cash", "BON": "voucher", "CAD": "gift_card", "FIN": "financing", "CHQ": "other"}
PAYOUTS = {"ESP": "cash", "BON": "store_credit", "VIR": "bank_transfer"}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M")
_YES = {"O", "OUI", "Y", "1", "TRUE"}


@dataclass(frozen=True)
class SkuMapping:
    """One of the operator's article codes and the reloop SKU it stands for."""

    partner_sku: str
    sku: str
    kind: str


@dataclass(frozen=True)
class Unmappable:
    reason: str
    field: str | None
    partner_sku: str | None = None
    client_txn_id: str | None = None


class _Bad(StoreSyncError):
    def __init__(self, message: str, *, field: str, partner_sku: str | None = None) -> None:
        super().__init__(message, field=field)
        self.partner_sku = partner_sku


def split_personal(raw: Mapping[str, Any]) -> tuple[dict[str, Any], TillCustomer | None]:
    """The ticket without its customer block, and the customer. Contact details leave the ticket
    here, before anything is stored: they are sealed or dropped, never kept in clear."""
    ticket = {k: v for k, v in raw.items() if k != "client"}
    client = raw.get("client")
    if client is None:
        return ticket, None
    if not isinstance(client, Mapping):
        ticket["client"] = "(not an object: dropped)"
        return ticket, None
    contact = Contact(_text(client.get("email")), _text(client.get("telephone")), _text(client.get("nom")))
    customer = TillCustomer(
        customer_id=_text(client.get("id_client_reloop")),
        contact=contact if contact.fields() else None,
        marketing=_yes(client.get("optin_marketing")),
        partner_sharing=_yes(client.get("optin_partage")),
    )
    return ticket, customer


def ticket_id(ticket: Mapping[str, Any]) -> str | None:
    value = ticket.get("num_ticket")
    return str(value).strip() if isinstance(value, str | int) and str(value).strip() else None


def adapt(
    ticket: Mapping[str, Any],
    customer: TillCustomer | None,
    shop: Shop,
    skus: Mapping[str, SkuMapping],
    units: Mapping[str, str],
    now: datetime,
) -> Submitted | Unmappable:
    """The ticket as a checked reloop transaction, or why it cannot be one yet.

    `skus` is the operator's mapping table, `units` the reloop unit id of each device IMEI."""
    txn_id = ticket_id(ticket)
    try:
        txn = _Mapper(ticket, customer, shop, skus, units).transaction()
        return Submitted(checked(txn, shop, now), fingerprint(dict(ticket)), FORMAT)
    except _Bad as error:
        return Unmappable(str(error), error.field, error.partner_sku, txn_id)
    except (StoreSyncError, InvalidMoney) as error:
        return Unmappable(str(error), error.field, None, txn_id)


class _Mapper:
    def __init__(
        self,
        ticket: Mapping[str, Any],
        customer: TillCustomer | None,
        shop: Shop,
        skus: Mapping[str, SkuMapping],
        units: Mapping[str, str],
    ) -> None:
        self.t, self.customer, self.shop, self.skus, self.units = ticket, customer, shop, skus, units

    def transaction(self) -> Transaction:
        if "client" in self.t:
            raise _Bad("the customer block is not an object", field="client")
        txn_id = ticket_id(self.t)
        if txn_id is None:
            raise _Bad("a ticket has a number", field="num_ticket")
        check_client_txn_id(txn_id, field="num_ticket")
        at = self._time()
        kind = self.t.get("type")
        if kind == "VENTE":
            return self._sale(txn_id, at)
        if kind == "RETOUR":
            return self._return(txn_id, at)
        if kind in ("REPRISE", "SAV"):
            return self._drop_off(txn_id, at, kind)
        raise _Bad(f"unknown ticket type {kind!r} (VENTE, RETOUR, REPRISE, SAV)", field="type")

    def _sale(self, txn_id: str, at: datetime) -> Sale:
        lines = tuple(self._sale_line(n, raw) for n, raw in enumerate(self._lines()))
        total = sum((line.amount for line in lines[1:]), lines[0].amount)
        if self.t.get("total_ttc") not in (None, "") and self._money(self.t["total_ttc"], "total_ttc") != total:
            raise _Bad(f"total_ttc {self.t['total_ttc']} is not the sum of the lines", field="total_ttc")
        payments = tuple(self._payment(n, raw, total) for n, raw in enumerate(self._list("reglements")))
        return Sale(txn_id, at, lines, total, payments, self.customer)

    def _sale_line(self, n: int, raw: Mapping[str, Any]) -> SaleLine:
        field = f"lignes.{n}"
        mapping = self._sku(raw.get("code_article"), f"{field}.code_article")
        quantity = self._int(raw.get("quantite", 1), f"{field}.quantite")
        price = self._money(raw.get("prix_unitaire_ttc"), f"{field}.prix_unitaire_ttc")
        discount = self._money(raw.get("remise_ttc") or "0", f"{field}.remise_ttc")
        unit_id = self._unit(raw.get("imei"), f"{field}.imei") if mapping.kind == DEVICE else None
        line_id = str(raw.get("num_ligne") or n + 1)
        return SaleLine(
            line_id, mapping.kind, mapping.sku, price, quantity, unit_id, discount if discount.amount_minor else None
        )

    def _payment(self, n: int, raw: Mapping[str, Any], total: Money) -> Payment:
        mode = str(raw.get("mode", "")).strip().upper()
        if mode not in TENDERS:
            raise _Bad(f"unknown payment mode {mode!r} ({', '.join(TENDERS)})", field=f"reglements.{n}.mode")
        amount = raw.get("montant_ttc")
        money = total if amount in (None, "") else self._money(amount, f"reglements.{n}.montant_ttc")
        return Payment(TENDERS[mode], money)

    def _return(self, txn_id: str, at: datetime) -> Return:
        origin = _text(self.t.get("ticket_origine"))
        if origin is None:
            raise _Bad("a return names the sale ticket it returns", field="ticket_origine")
        reason = _text(self.t.get("motif")) or ""
        lines = []
        for n, raw in enumerate(self._lines()):
            sale_line = self._sale_line(n, raw)
            refund = sale_line.amount
            lines.append(
                ReturnLine(
                    sale_line.line_id,
                    sale_line.kind,
                    sale_line.sku,
                    refund,
                    sale_line.quantity,
                    sale_line.unit_id,
                    reason,
                )
            )
        return Return(txn_id, at, tuple(lines), sale_txn_id=origin, customer=self.customer)

    def _drop_off(self, txn_id: str, at: datetime, kind: str) -> Transaction:
        imei = _text(self.t.get("imei"))
        if imei is None:
            raise _Bad("a device left at the shop is identified by its IMEI", field="imei")
        code = self.t.get("code_article")
        sku = self._sku(code, "code_article").sku if code not in (None, "") else None
        device = Device("imei", imei, sku, _text(self.t.get("designation")) or "")
        if kind == "REPRISE":
            payout = self._money(self.t.get("montant_reprise_ttc"), "montant_reprise_ttc")
            mode = str(self.t.get("mode_paiement", "")).strip().upper()
            if mode not in PAYOUTS:
                raise _Bad(f"unknown payout mode {mode!r} ({', '.join(PAYOUTS)})", field="mode_paiement")
            return TradeIn(txn_id, at, device, payout, PAYOUTS[mode], _text(self.t.get("etat")) or "", self.customer)
        quote = self.t.get("devis_ttc")
        money = self._money(quote, "devis_ttc") if quote not in (None, "") else None
        return RepairDropOff(txn_id, at, device, _text(self.t.get("panne")) or "", money, self.customer)

    def _lines(self) -> list[Mapping[str, Any]]:
        lines = self._list("lignes")
        if not lines:
            raise _Bad("a ticket has at least one line", field="lignes")
        return lines

    def _list(self, name: str) -> list[Mapping[str, Any]]:
        value = self.t.get(name) or []
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise _Bad(f"{name} is a list of objects", field=name)
        return value

    def _sku(self, code: Any, field: str) -> SkuMapping:
        text = _text(code)
        if text is None:
            raise _Bad("an article code is required", field=field)
        mapping = self.skus.get(text)
        if mapping is None:
            raise _Bad(f"unknown article code {text}: map it to a reloop SKU", field=field, partner_sku=text)
        return mapping

    def _unit(self, imei: Any, field: str) -> str:
        text = _text(imei)
        if text is None:
            raise _Bad("a device line names the device's IMEI", field=field)
        unit_id = self.units.get(text)
        if unit_id is None:
            raise _Bad(f"no reloop unit has IMEI {text} (not received by inventory yet?)", field=field)
        return unit_id

    def _money(self, value: Any, field: str) -> Money:
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise _Bad(f"{value!r} is not an amount", field=field)
        return parse_amount(str(value), self.shop.currency, field=field)

    def _int(self, value: Any, field: str) -> int:
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit():
            raise _Bad(f"{value!r} is not a whole quantity", field=field)
        return int(text)

    def _time(self) -> datetime:
        value = self.t.get("horodatage")
        moment = parse_time(value)
        if moment is None:
            raise _Bad(f"{value!r} is not a date and time (AAAA-MM-JJ HH:MM:SS)", field="horodatage")
        return moment


def parse_time(value: Any) -> datetime | None:
    """A till timestamp: '2026-11-20 14:32:10' or '20/11/2026 14:32:10' (local), or ISO 8601."""
    if not isinstance(value, str):
        return None
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def _yes(value: Any) -> bool:
    return value is True or str(value).strip().upper() in _YES
