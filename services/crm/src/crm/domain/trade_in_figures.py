"""The trade-in figures the business watches, defined over plain records (definitions in the README).

These are the definitions; `adapters/trade_in_queries.py` computes the same figures in SQL over the
read model, and the tests hold the two equal. Every figure is as of a report date: what happened
after it does not count.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

REDEMPTION_WINDOW = timedelta(days=90)
"""A voucher counts as redeemed in time when its first redemption is within 90 days (90 x 24 h) of issue."""

ONLINE = "online"
"""The place of a redemption made online; a shop's redemption's place is its shop id."""


@dataclass(frozen=True)
class IssuedVoucher:
    voucher_id: str
    market: str
    amount_minor: int
    issued_at: datetime


@dataclass(frozen=True)
class Redemption:
    voucher_id: str
    sale_id: str
    place: str
    basket_minor: int
    at: datetime


@dataclass(frozen=True)
class RedemptionRate:
    """Of the market's decidable vouchers (issued at least 90 days before the report date), how
    many were first redeemed within 90 days of issue."""

    market: str
    decidable: int
    redeemed_in_time: int

    @property
    def rate(self) -> float | None:
        return self.redeemed_in_time / self.decidable if self.decidable else None


@dataclass(frozen=True)
class PlaceShare:
    """Of the market's decidable vouchers, those first redeemed within 90 days at this place (a
    shop, or online): a market's shares add up to its rate."""

    market: str
    place: str
    decidable: int
    redeemed_in_time: int

    @property
    def share(self) -> float | None:
        return self.redeemed_in_time / self.decidable if self.decidable else None


@dataclass(frozen=True)
class BasketUplift:
    """Per redemption, the sale's basket over the voucher's issued amount: median and mean."""

    market: str
    place: str | None
    """None: the whole market."""
    redemptions: int
    median_ratio: float
    mean_ratio: float


@dataclass(frozen=True)
class HubVolume:
    """Trade-ins settled at a shop (the collection hub) in one calendar month (UTC)."""

    shop_id: str
    month: str
    trade_ins: int


@dataclass(frozen=True)
class GradingAccuracy:
    """Of a shop's trade-ins the centre re-graded, how many the shop had graded right."""

    shop_id: str
    checks: int
    accurate: int

    @property
    def accuracy(self) -> float | None:
        return self.accurate / self.checks if self.checks else None


def place_of(channel: str, shop_id: str | None) -> str:
    return ONLINE if channel == ONLINE or shop_id is None else shop_id


def basket_ratio(basket_minor: int, voucher_minor: int) -> float:
    return basket_minor / voucher_minor


def is_decidable(voucher: IssuedVoucher, as_of: datetime) -> bool:
    """Younger vouchers still have time to be redeemed in time: they are left out of the rates."""
    return voucher.issued_at <= as_of - REDEMPTION_WINDOW


def first_redemptions(redemptions: Iterable[Redemption]) -> dict[str, Redemption]:
    """Each voucher's first redemption (the earliest; ties broken by sale id)."""
    first: dict[str, Redemption] = {}
    for r in redemptions:
        seen = first.get(r.voucher_id)
        if seen is None or (r.at, r.sale_id) < (seen.at, seen.sale_id):
            first[r.voucher_id] = r
    return first


def _in_time(voucher: IssuedVoucher, first: Redemption | None) -> bool:
    return first is not None and first.at <= voucher.issued_at + REDEMPTION_WINDOW


def redemption_rates(
    vouchers: Sequence[IssuedVoucher], redemptions: Sequence[Redemption], as_of: datetime
) -> tuple[list[RedemptionRate], list[PlaceShare]]:
    """Per market, and per market and place of first redemption."""
    first = first_redemptions(redemptions)
    decidable: dict[str, int] = defaultdict(int)
    in_time: dict[str, int] = defaultdict(int)
    at_place: dict[tuple[str, str], int] = defaultdict(int)
    for v in vouchers:
        if not is_decidable(v, as_of):
            continue
        decidable[v.market] += 1
        redemption = first.get(v.voucher_id)
        if redemption is not None and _in_time(v, redemption):
            in_time[v.market] += 1
            at_place[(v.market, redemption.place)] += 1
    rates = [RedemptionRate(m, decidable[m], in_time[m]) for m in sorted(decidable)]
    shares = [PlaceShare(m, p, decidable[m], n) for (m, p), n in sorted(at_place.items())]
    return rates, shares


def basket_uplift(
    vouchers: Sequence[IssuedVoucher], redemptions: Sequence[Redemption], as_of: datetime
) -> tuple[list[BasketUplift], list[BasketUplift]]:
    """Per market, and per market and place, over every redemption up to the report date of a
    voucher whose issue is known."""
    issued = {v.voucher_id: v for v in vouchers}
    per_market: dict[str, list[float]] = defaultdict(list)
    per_place: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in redemptions:
        voucher = issued.get(r.voucher_id)
        if voucher is None or r.at > as_of:
            continue
        ratio = basket_ratio(r.basket_minor, voucher.amount_minor)
        per_market[voucher.market].append(ratio)
        per_place[(voucher.market, r.place)].append(ratio)

    def uplift(market: str, place: str | None, ratios: list[float]) -> BasketUplift:
        return BasketUplift(market, place, len(ratios), statistics.median(ratios), statistics.fmean(ratios))

    return (
        [uplift(m, None, per_market[m]) for m in sorted(per_market)],
        [uplift(m, p, per_place[(m, p)]) for m, p in sorted(per_place)],
    )


def hub_volumes(shop_trade_ins: Iterable[tuple[str, datetime]], as_of: datetime) -> list[HubVolume]:
    """`(shop_id, recorded_at)` per shop trade-in; counted per shop and UTC month."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for shop_id, at in shop_trade_ins:
        if at <= as_of:
            counts[(shop_id, at.astimezone(UTC).strftime("%Y-%m"))] += 1
    return [HubVolume(shop, month, n) for (shop, month), n in sorted(counts.items())]


def grading_accuracy(checks: Iterable[tuple[str, bool, datetime]], as_of: datetime) -> list[GradingAccuracy]:
    """`(shop_id, accurate, checked_at)` per centre check of a shop's grade."""
    total: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    for shop_id, accurate, at in checks:
        if at <= as_of:
            total[shop_id] += 1
            right[shop_id] += accurate
    return [GradingAccuracy(shop, total[shop], right[shop]) for shop in sorted(total)]
