"""The ledger of applied sales: which sale took which unit, so a unit is never held by two sales,
a replay applies nothing, and a sale that lost its unit to a shop hand-over can be told."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LedgerLine:
    line_id: str
    kind: str
    sku: str
    unit_id: str | None
    quantity: int
    location_id: str


@dataclass(frozen=True)
class LineMove:
    """A line of an applied sale now served by another unit (or by none: `unit_id` None)."""

    sale_id: str
    line_id: str
    unit_id: str | None
    location_id: str | None


@dataclass
class AppliedSale:
    sale_id: str
    channel: str
    market: str
    location_id: str
    lines: list[LedgerLine]

    def line_with_unit(self, unit_id: str) -> LedgerLine | None:
        return next((x for x in self.lines if x.unit_id == unit_id), None)

    def move(self, line_id: str, unit_id: str | None, location_id: str | None) -> LineMove:
        for line in self.lines:
            if line.line_id == line_id:
                line.unit_id = unit_id
                line.location_id = location_id or line.location_id
        return LineMove(self.sale_id, line_id, unit_id, location_id)
