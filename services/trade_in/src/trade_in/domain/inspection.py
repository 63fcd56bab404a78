"""What an inspection at the refurbishment centre means for the offer.

A grade as good as declared (or better: reloop does not pay more than it offered) keeps the
offer. A worse grade lowers it to the grid's price for the real grade, and only with findings the
customer can read: a counter-offer, never a silent cut.
"""

from __future__ import annotations

from dataclasses import dataclass

from reloop_contracts.amounts import Money
from trade_in.domain.errors import FindingsRequired
from trade_in.domain.grades import Grade, is_worse


@dataclass(frozen=True)
class Verdict:
    grade: Grade
    findings: tuple[str, ...]
    worse_than_declared: bool
    counter_offer: Money | None
    """The lower price to offer, None when the offer stands."""


def judge(declared: Grade, offered: Money, grade: Grade, findings: tuple[str, ...], price_for_grade: Money) -> Verdict:
    worse = is_worse(grade, declared)
    if not worse:
        return Verdict(grade, findings, False, None)
    if not findings:
        raise FindingsRequired("a grade worse than declared needs the findings that explain it", field="findings")
    counter = min(price_for_grade.amount_minor, offered.amount_minor)
    lower = Money(counter, offered.currency) if counter < offered.amount_minor else None
    return Verdict(grade, findings, True, lower)
