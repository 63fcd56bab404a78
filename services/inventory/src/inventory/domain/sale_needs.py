"""What a batch of sales needs loaded before it is decided (see `allocation.SaleContext`).

A batch is loaded in one go, locked in inventory's order (SKU rows, then holds, then units), and
then decided in memory without I/O. Replacement units are loaded only for SKUs where a sale can
meet a unit it cannot simply take (a contested SKU): the usual sale, of a free unit, loads none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence

from inventory.domain.allocation import Outcome, StockKey, outcome_for
from inventory.domain.commands import ApplySale
from inventory.domain.ledger import AppliedSale
from inventory.domain.reservations import Reservation
from inventory.domain.units import Unit


def stock_lines(sales: Iterable[ApplySale]) -> list[tuple[str, str]]:
    """(sku, kind) of every line that moves stock (plans and services do not)."""
    return [(line.sku, line.kind) for cmd in sales for line in cmd.lines if line.kind != "service"]


def named_units(sales: Iterable[ApplySale]) -> list[str]:
    return sorted({x.unit_id for cmd in sales for x in cmd.lines if x.unit_id and x.kind != "service"})


def held_units(holds: Iterable[Reservation]) -> list[str]:
    return sorted({x.unit_id for hold in holds for x in hold.lines if x.unit_id})


def held_skus(holds: Iterable[Reservation]) -> list[str]:
    """A consumed hold gives back what the sale did not take: its SKUs are locked too."""
    return [x.sku for hold in holds for x in hold.lines]


def stock_keys(
    sales: Iterable[ApplySale], holds: Mapping[str, Reservation], skus: Container[str], locations: Container[str]
) -> list[StockKey]:
    """The accessory rows the sales sell from, and those their holds give back elsewhere. Rows of
    an unknown SKU or location are not asked for: such a sale is refused once loaded."""
    keys: set[StockKey] = set()
    for cmd in sales:
        if cmd.location_id in locations:
            keys.update((x.sku, cmd.location_id) for x in cmd.lines if x.kind == "accessory" and x.sku in skus)
        hold = holds.get(cmd.reservation_id or "")
        if hold is not None:
            keys.update(
                (x.sku, x.location_id)
                for x in hold.lines
                if x.kind == "accessory" and x.location_id != cmd.location_id and x.sku in skus
            )
    return sorted(keys)


def contested(sales: Sequence[ApplySale], units: Mapping[str, Unit]) -> dict[str, int]:
    """SKUs where a sale meets a unit it cannot simply take (held or sold elsewhere, not sellable,
    named twice in the batch), with how many device lines of the SKU the batch has.

    Only these SKUs can need a replacement unit, and each device line needs at most one (its own,
    or one for the hold or sale it takes the unit from): that many free units per eligible location
    are always enough to decide the batch exactly as one unit at a time would."""
    lines = [(cmd, x) for cmd in sales for x in cmd.lines if x.kind == "refurbished_device"]
    per_sku = Counter(x.sku for _, x in lines)
    named = Counter(x.unit_id for _, x in lines if x.unit_id)
    found: set[str] = set()
    for cmd, line in lines:
        unit = units.get(line.unit_id or "")
        if unit is None:
            continue
        if named[unit.unit_id] > 1 or outcome_for(unit, cmd.sale_id, cmd.channel, cmd.reservation_id) not in {
            Outcome.SELL,
            Outcome.ALREADY_SOLD_HERE,
        }:
            found.add(line.sku)
    return {sku: per_sku[sku] for sku in sorted(found)}


def claimed_by_sales(units: Iterable[Unit], skus: Iterable[str]) -> list[str]:
    """Earlier sales holding a unit of a contested SKU: a shop hand-over may take it from them."""
    wanted = set(skus)
    return sorted({u.sale_id for u in units if u.sku in wanted and u.status == "sold" and u.sale_id})


def contested_units(units: Iterable[Unit], skus: Iterable[str]) -> list[str]:
    wanted = set(skus)
    return sorted(u.unit_id for u in units if u.sku in wanted)


def markets_and_places(
    sales: Iterable[ApplySale], holds: Iterable[Reservation], ledger: Iterable[AppliedSale]
) -> tuple[set[str], set[str]]:
    """Every market whose shipping locations a replacement may come from, and every location named
    by a sale, a hold or an earlier sale of the batch (where a replacement may be looked for)."""
    sales, holds, ledger = list(sales), list(holds), list(ledger)
    markets = {x.market for x in sales} | {x.market for x in holds} | {x.market for x in ledger}
    places = {x.location_id for x in sales} | {x.location_id for x in ledger}
    places |= {x.location_id for x in holds if x.location_id is not None}
    return markets, places
