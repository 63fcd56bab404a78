"""A business day of one shop: what its till reported at closing against what reloop recorded."""

from __future__ import annotations

from dataclasses import dataclass

from reloop_contracts.amounts import Money


@dataclass(frozen=True)
class DayTotals:
    sales: int
    sales_amount: Money
    returns: int
    refunds: Money
    trade_ins: int = 0
    repairs: int = 0
    sales_tax: Money | None = None

    @classmethod
    def empty(cls, currency: str) -> DayTotals:
        return cls(0, Money.zero(currency), 0, Money.zero(currency), 0, 0, Money.zero(currency))


def balanced(reported: DayTotals, recorded: DayTotals) -> bool:
    """The day balances when every count and amount the till reported matches what was recorded
    (tax only when the till reported it). An offline till's close arrives before its backlog: it
    shows unbalanced until the backlog is in, and a second close of the day says so."""
    same = (
        reported.sales == recorded.sales
        and reported.sales_amount == recorded.sales_amount
        and reported.returns == recorded.returns
        and reported.refunds == recorded.refunds
        and reported.trade_ins == recorded.trade_ins
        and reported.repairs == recorded.repairs
    )
    return same and (reported.sales_tax is None or reported.sales_tax == recorded.sales_tax)
