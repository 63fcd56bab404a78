"""The trade-in figures as the README defines them, on hand-made vouchers and redemptions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crm.domain.trade_in_figures import (
    ONLINE,
    BasketUplift,
    GradingAccuracy,
    HubVolume,
    IssuedVoucher,
    PlaceShare,
    Redemption,
    RedemptionRate,
    basket_uplift,
    grading_accuracy,
    hub_volumes,
    place_of,
    redemption_rates,
)

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
OLD = AS_OF - timedelta(days=200)


def voucher(voucher_id: str, *, market: str = "FR", amount: int = 10_000, at: datetime = OLD) -> IssuedVoucher:
    return IssuedVoucher(voucher_id, market, amount, at)


def redeemed(voucher_id: str, after: timedelta, *, place: str = "shop-a", basket: int = 15_000) -> Redemption:
    return Redemption(voucher_id, f"sale-{voucher_id}-{after}", place, basket, OLD + after)


def test_a_voucher_counts_as_redeemed_in_time_when_its_first_redemption_is_within_90_days_of_issue() -> None:
    vouchers = [voucher("on-the-day"), voucher("last-second"), voucher("a-second-late"), voucher("never")]
    redemptions = [
        redeemed("on-the-day", timedelta(0)),
        redeemed("last-second", timedelta(days=90)),
        redeemed("a-second-late", timedelta(days=90, seconds=1)),
    ]

    rates, _ = redemption_rates(vouchers, redemptions, AS_OF)

    assert rates == [RedemptionRate("FR", decidable=4, redeemed_in_time=2)]
    assert rates[0].rate == 0.5


def test_only_the_first_redemption_decides_so_a_later_one_within_90_days_does_not_rescue_a_late_first() -> None:
    vouchers = [voucher("v")]
    late_then_early = [redeemed("v", timedelta(days=100)), redeemed("v", timedelta(days=120))]

    rates, _ = redemption_rates(vouchers, late_then_early, AS_OF)

    assert rates == [RedemptionRate("FR", 1, 0)]


def test_vouchers_younger_than_90_days_on_the_report_date_are_left_out_of_the_rate() -> None:
    young = voucher("young", at=AS_OF - timedelta(days=89))
    just_old_enough = voucher("ninety", at=AS_OF - timedelta(days=90))

    rates, _ = redemption_rates([young, just_old_enough], [], AS_OF)

    assert rates == [RedemptionRate("FR", decidable=1, redeemed_in_time=0)]


def test_each_market_has_its_rate_and_its_places_shares_add_up_to_it() -> None:
    vouchers = [voucher(f"fr{n}") for n in range(4)] + [voucher("es0", market="ES")]
    redemptions = [
        redeemed("fr0", timedelta(days=1), place="shop-a"),
        redeemed("fr1", timedelta(days=2), place=ONLINE),
        redeemed("fr2", timedelta(days=3), place="shop-a"),
        redeemed("es0", timedelta(days=4), place="shop-m"),
    ]

    rates, shares = redemption_rates(vouchers, redemptions, AS_OF)

    assert rates == [RedemptionRate("ES", 1, 1), RedemptionRate("FR", 4, 3)]
    assert shares == [
        PlaceShare("ES", "shop-m", 1, 1),
        PlaceShare("FR", "online", 4, 1),
        PlaceShare("FR", "shop-a", 4, 2),
    ]
    assert sum(s.share or 0 for s in shares if s.market == "FR") == rates[1].rate


def test_a_voucher_is_placed_where_it_was_first_redeemed() -> None:
    redemptions = [redeemed("v", timedelta(days=5), place="shop-b"), redeemed("v", timedelta(days=1), place=ONLINE)]

    _, shares = redemption_rates([voucher("v")], redemptions, AS_OF)

    assert shares == [PlaceShare("FR", ONLINE, 1, 1)]
    assert (place_of("online", None), place_of("own_shop", "shop-b")) == (ONLINE, "shop-b")


def test_basket_uplift_is_the_median_and_mean_of_basket_over_the_vouchers_issued_amount_per_redemption() -> None:
    vouchers = [voucher("a", amount=10_000), voucher("b", amount=20_000)]
    redemptions = [
        redeemed("a", timedelta(days=1), basket=10_000, place="shop-a"),  # 1.0
        redeemed("a", timedelta(days=2), basket=30_000, place="shop-a"),  # 3.0
        redeemed("b", timedelta(days=1), basket=30_000, place=ONLINE),  # 1.5
        redeemed("unknown", timedelta(days=1), basket=99_000),  # no issue seen: left out
    ]

    per_market, per_place = basket_uplift(vouchers, redemptions, AS_OF)

    assert per_market == [BasketUplift("FR", None, 3, median_ratio=1.5, mean_ratio=5.5 / 3)]
    assert per_place == [BasketUplift("FR", ONLINE, 1, 1.5, 1.5), BasketUplift("FR", "shop-a", 2, 2.0, 2.0)]


def test_redemptions_after_the_report_date_do_not_count_in_the_basket_uplift() -> None:
    per_market, _ = basket_uplift([voucher("a")], [redeemed("a", AS_OF - OLD + timedelta(seconds=1))], AS_OF)

    assert per_market == []


def test_trade_in_volume_is_counted_per_collection_hub_and_utc_month() -> None:
    paris = timezone(timedelta(hours=2))
    recorded = [
        ("shop-a", datetime(2026, 3, 31, 23, 30, tzinfo=UTC)),
        # 01:30 in Paris on 1 April is still March in UTC.
        ("shop-a", datetime(2026, 4, 1, 1, 30, tzinfo=paris)),
        ("shop-a", datetime(2026, 4, 2, tzinfo=UTC)),
        ("shop-b", datetime(2026, 4, 2, tzinfo=UTC)),
        ("shop-b", AS_OF + timedelta(days=1)),
    ]

    assert hub_volumes(recorded, AS_OF) == [
        HubVolume("shop-a", "2026-03", 2),
        HubVolume("shop-a", "2026-04", 1),
        HubVolume("shop-b", "2026-04", 1),
    ]


def test_a_shops_grading_accuracy_is_its_accurate_checks_over_its_checks() -> None:
    at = AS_OF - timedelta(days=1)
    checks = [("shop-a", True, at), ("shop-a", False, at), ("shop-a", True, at), ("shop-b", False, at)]

    found = grading_accuracy(checks, AS_OF)

    assert found == [GradingAccuracy("shop-a", 3, 2), GradingAccuracy("shop-b", 1, 0)]
    assert [g.accuracy for g in found] == [2 / 3, 0.0]
    assert GradingAccuracy("shop-c", 0, 0).accuracy is None
