"""A shop's till journal: what each uploaded transaction becomes, exactly once.

One upload is applied under the shop's row lock, in the order the transactions happened (a
sale before a return that refers to it, whatever order the till sent them in). A transaction
id already on record is a duplicate when it says the same thing, a conflict when it does not.
A return of a sale this shop has not sent yet waits for it (offline tills upload out of
order): it is recorded, and its event published, in the upload that brings the sale.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from reloop_shared.recording import EventRecorder
from store_sync.domain import events
from store_sync.domain.collected_devices import CollectedDevice, ShippedDevice
from store_sync.domain.days import DayTotals, balanced
from store_sync.domain.idempotency import derived_id
from store_sync.domain.policy import CustomerOut, Sealed, Sharing, TillCustomer, decide
from store_sync.domain.shops import Shop
from store_sync.domain.tax import NO_TAX, TaxSplit, split_tax
from store_sync.domain.transactions import (
    DEVICE,
    KIND_ORDER,
    DayClose,
    RepairDropOff,
    Return,
    Sale,
    StockCount,
    TradeIn,
    Transaction,
)

RECORDED = "recorded"
WAITING = "waiting_for_sale"


@dataclass(frozen=True)
class OnRecord:
    """A transaction id this shop already used."""

    client_txn_id: str
    kind: str
    canonical_id: str
    fingerprint: str
    status: str


@dataclass(frozen=True)
class Submitted:
    txn: Transaction  # checked: its time is UTC
    fingerprint: str
    source: str = "reloop"


@dataclass(frozen=True)
class Outcome:
    client_txn_id: str
    kind: str
    result: str  # recorded | duplicate | conflict | waiting_for_sale
    canonical_id: str
    detail: str = ""


@dataclass
class Entry:
    """A transaction recorded for the first time (or a waiting return its sale released)."""

    txn: Transaction
    canonical_id: str
    fingerprint: str
    source: str
    business_date: date
    status: str
    tax: TaxSplit
    subject_id: str | None = None
    sharing: Sharing | None = None
    customer: CustomerOut | None = None
    stored: bool = False
    """On record before this upload (a waiting return)."""

    @property
    def sale_txn_id(self) -> str | None:
        return self.txn.sale_txn_id if isinstance(self.txn, Return) else None


@dataclass
class ShopJournal:
    shop: Shop
    on_record: dict[str, OnRecord]
    waiting: list[Entry] = field(default_factory=list)
    """Returns on record that wait for one of this upload's sales."""
    recorder: EventRecorder[events.DomainEvent] = field(default_factory=EventRecorder, repr=False, compare=False)
    entries: list[Entry] = field(default_factory=list)
    released: list[Entry] = field(default_factory=list)
    collected: list[CollectedDevice] = field(default_factory=list)
    closes: list[Entry] = field(default_factory=list)
    _in_order: list[Entry] = field(default_factory=list)
    _waiting_by_sale: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for entry in self.waiting:
            if entry.sale_txn_id is not None:
                self._waiting_by_sale[entry.sale_txn_id].append(entry)

    def accept(self, batch: Sequence[Submitted]) -> list[Outcome]:
        """Decide what each transaction becomes; outcomes come back in the order sent."""
        outcomes: dict[int, Outcome] = {}
        order = sorted(range(len(batch)), key=lambda i: (batch[i].txn.occurred_at, KIND_ORDER[batch[i].txn.KIND], i))
        for i in order:
            outcomes[i] = self._accept(batch[i])
        return [outcomes[i] for i in range(len(batch))]

    def _accept(self, item: Submitted) -> Outcome:
        txn = item.txn
        known = self.on_record.get(txn.client_txn_id)
        if known is not None:
            if known.kind == txn.KIND and known.fingerprint == item.fingerprint:
                result = "duplicate" if known.status == RECORDED else known.status
                return Outcome(txn.client_txn_id, txn.KIND, result, known.canonical_id)
            detail = f"{txn.client_txn_id} was already used for a different {known.kind}"
            return Outcome(txn.client_txn_id, txn.KIND, "conflict", known.canonical_id, detail)
        canonical_id = derived_id(txn.KIND, self.shop.shop_id, txn.client_txn_id)
        status, detail = RECORDED, ""
        if isinstance(txn, Return) and txn.sale_txn_id is not None:
            sale = self.on_record.get(txn.sale_txn_id)
            if sale is not None and sale.kind != Sale.KIND:
                detail = f"{txn.sale_txn_id} is a {sale.kind}, not a sale"
                return Outcome(txn.client_txn_id, txn.KIND, "conflict", canonical_id, detail)
            if sale is None or sale.status != RECORDED:
                status, detail = WAITING, f"recorded once sale {txn.sale_txn_id} is"
        entry = self._entry(item, canonical_id, status)
        self.entries.append(entry)
        self.on_record[txn.client_txn_id] = OnRecord(
            txn.client_txn_id, txn.KIND, canonical_id, item.fingerprint, status
        )
        if status == WAITING:
            assert isinstance(txn, Return)
            assert txn.sale_txn_id is not None
            self._waiting_by_sale[txn.sale_txn_id].append(entry)
        else:
            self._in_order.append(entry)
        if isinstance(txn, Sale):
            self._release_returns_of(txn.client_txn_id)
        return Outcome(txn.client_txn_id, txn.KIND, status, canonical_id, detail)

    def _entry(self, item: Submitted, canonical_id: str, status: str) -> Entry:
        txn, shop = item.txn, self.shop
        entry = Entry(
            txn,
            canonical_id,
            item.fingerprint,
            item.source,
            shop.business_date(txn.occurred_at),
            status,
            _tax(txn, shop.tax_rate_bp),
        )
        customer = getattr(txn, "customer", None)
        if isinstance(customer, TillCustomer):
            entry.subject_id = derived_id("subject", shop.shop_id, txn.client_txn_id)
            entry.sharing = decide(shop.policy, customer)
        return entry

    def _release_returns_of(self, sale_txn_id: str) -> None:
        for entry in self._waiting_by_sale.pop(sale_txn_id, []):
            entry.status = RECORDED
            self.on_record[entry.txn.client_txn_id] = OnRecord(
                entry.txn.client_txn_id, entry.txn.KIND, entry.canonical_id, entry.fingerprint, RECORDED
            )
            if entry.stored:
                self.released.append(entry)
            self._in_order.append(entry)

    def sealing_requests(self) -> list[tuple[str, dict[str, str]]]:
        """(subject id, contact fields) of every new customer the policy lets reach CRM."""
        requests = []
        for entry in self.entries:
            customer = getattr(entry.txn, "customer", None)
            if entry.sharing and entry.sharing.allowed and entry.subject_id and customer and customer.contact:
                fields = customer.contact.fields()
                if fields:
                    requests.append((entry.subject_id, fields))
        return requests

    def record(self, sealed: Mapping[str, Sealed | None]) -> None:
        """Apply the policy to each new customer (with the contact details sealed for those it
        allows; None for a subject erased meanwhile), then record every event in order."""
        for entry in self.entries:
            entry.customer = self._customer_out(entry, sealed)
        for entry in self._in_order:
            self._record(entry)

    def _customer_out(self, entry: Entry, sealed: Mapping[str, Sealed | None]) -> CustomerOut | None:
        customer = getattr(entry.txn, "customer", None)
        if not isinstance(customer, TillCustomer):
            return None
        out = CustomerOut(
            data_owner=self.shop.policy.data_owner,
            marketing=customer.marketing,
            partner_sharing=customer.partner_sharing,
            captured_at=entry.txn.occurred_at,
            captured_by=self.shop.shop_id,
        )
        if not (entry.sharing and entry.sharing.allowed):
            return out
        seal = sealed.get(entry.subject_id or "")
        if seal is None and customer.contact is not None and customer.contact.fields():
            entry.sharing = Sharing(False, "the data subject was erased")
            return out
        return dataclasses.replace(
            out, customer_id=customer.customer_id, subject_id=entry.subject_id if seal else None, sealed=seal
        )

    def _record(self, entry: Entry) -> None:
        txn, ref, shop_id = entry.txn, self.shop.ref, self.shop.shop_id
        match txn:
            case Sale():
                self.recorder.record(events.SaleRecorded(ref, entry.canonical_id, txn, entry.customer))
            case Return():
                sale_id = txn.sale_id or derived_id("sale", shop_id, txn.sale_txn_id or "")
                self.recorder.record(events.ReturnRecorded(ref, entry.canonical_id, sale_id, txn, entry.customer))
                for line in txn.lines:
                    if line.kind == DEVICE and line.unit_id:
                        self._collect(ShippedDevice(line.unit_id, "return", entry.canonical_id, line.sku), txn)
            case TradeIn() | RepairDropOff():
                unit_id = derived_id("unit", shop_id, txn.client_txn_id)
                device = txn.device
                kind = "trade_in" if isinstance(txn, TradeIn) else "repair"
                shipped = ShippedDevice(
                    unit_id, kind, entry.canonical_id, device.sku, device.identifier_kind, device.identifier
                )
                self._collect(shipped, txn)
                if isinstance(txn, TradeIn):
                    self.recorder.record(
                        events.TradeInDroppedOff(ref, entry.canonical_id, unit_id, txn, entry.customer)
                    )
                else:
                    self.recorder.record(events.RepairDroppedOff(ref, entry.canonical_id, unit_id, txn, entry.customer))
            case StockCount():
                self.recorder.record(events.StockCounted(ref, entry.canonical_id, txn))
            case DayClose():
                self.closes.append(entry)

    def _collect(self, device: ShippedDevice, txn: Transaction) -> None:
        self.collected.append(CollectedDevice(self.shop.shop_id, device, txn.occurred_at))

    @property
    def closed_days(self) -> set[date]:
        """The business days this upload closes: their totals are needed to record the closes."""
        return {entry.txn.business_date for entry in self.closes if isinstance(entry.txn, DayClose)}

    def close_days(self, recorded: Mapping[date, DayTotals], quarantined: Mapping[date, int]) -> None:
        """Record each day close once reloop's own totals of that day are known (this upload's
        transactions included) and how many of its tickets wait in quarantine."""
        for entry in self.closes:
            close = entry.txn
            assert isinstance(close, DayClose)
            day = close.business_date
            totals, waiting = recorded[day], quarantined.get(day, 0)
            self.recorder.record(
                events.DayClosed(
                    self.shop.ref,
                    entry.canonical_id,
                    close,
                    day,
                    totals,
                    waiting,
                    balanced(close.reported, totals) and waiting == 0,
                )
            )


def _tax(txn: Transaction, rate_bp: int) -> TaxSplit:
    """The tax inside what changed hands, split line by line so lines and totals agree."""
    split = NO_TAX
    if isinstance(txn, Sale):
        for line in txn.lines:
            split += split_tax(line.amount.amount_minor, rate_bp)
    elif isinstance(txn, Return):
        for ret in txn.lines:
            split += split_tax(ret.refund.amount_minor, rate_bp)
    elif isinstance(txn, TradeIn):
        split = TaxSplit(txn.payout.amount_minor, txn.payout.amount_minor, 0)  # a purchase from a consumer: no VAT
    return split
