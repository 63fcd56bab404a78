"""Shop drop-offs: a trade-in a shop bought on the spot arrives settled; the centre's later grade
is measured against the shop's and never claws money back from the customer."""

from __future__ import annotations

import random
import uuid

from reloop_contracts import NonNegativeMoney, store
from reloop_contracts import trade_in as contract
from reloop_contracts.inventory import DeviceIdentifier
from reloop_localstack.testing import luhn_imei
from services.trade_in.tests.messaging.under_test import TradeInUnderTest
from trade_in.domain import commands
from trade_in.service_layer.inspection import inspect_device
from trade_in.service_layer.intake import shop_trade_in_id
from trade_in.service_layer.views import grading_accuracy, trade_in_view


def _drop_off(
    under_test: TradeInUnderTest, shop_id: str, condition: str = "very_good", imei: str = ""
) -> store.TradeInDroppedOff:
    return store.TradeInDroppedOff(
        drop_off_id=f"DO-{uuid.uuid4().hex[:12]}",
        shop_id=shop_id,
        channel="own_shop",
        market="FR",
        device=store.DroppedDevice(
            unit_id=f"U-{uuid.uuid4().hex[:10]}",
            identifier=DeviceIdentifier(kind="imei", value=imei or luhn_imei(random.randrange(10**12))),
            sku="IP13-128-BLK-VG",
        ),
        condition=condition,
        payout=NonNegativeMoney(amount_minor=31000, currency="EUR"),
        payout_method="store_credit",
        dropped_off_at=under_test.clock.now(),
        pos_transaction_id=f"POS-{uuid.uuid4().hex[:8]}",
    )


def _shop() -> str:
    return f"SHOP-{uuid.uuid4().hex[:8]}"


async def test_a_trade_in_dropped_off_at_a_shop_is_recorded_settled_at_what_the_shop_paid(
    under_test: TradeInUnderTest,
) -> None:
    service, shop = under_test.service, _shop()
    event = _drop_off(under_test, shop)
    await service.deliver(event, producer="store-sync", copies=2)
    trade_in = await trade_in_view(service.unit_of_work(), shop_trade_in_id(event.drop_off_id))
    assert (trade_in.status, trade_in.paid, trade_in.shop_grade) == (
        "settled_at_shop",
        event.payout.value(),
        "very_good",
    )
    recorded = [e for e in await service.published(contract.ShopTradeInRecorded) if e.shop_id == shop]
    assert [(e.drop_off_id, e.paid.amount_minor, e.payout_method) for e in recorded] == [
        (event.drop_off_id, 31000, "store_credit")
    ]


async def test_a_worse_centre_grade_lowers_the_shops_accuracy_and_claws_nothing_back(
    under_test: TradeInUnderTest,
) -> None:
    service, shop = under_test.service, _shop()
    accurate, optimistic = _drop_off(under_test, shop, "good"), _drop_off(under_test, shop, "excellent")
    await service.deliver(accurate, optimistic, producer="store-sync")
    for event, grade in ((accurate, "good"), (optimistic, "fair")):
        command = commands.InspectDevice(shop_trade_in_id(event.drop_off_id), grade, ("battery 71%",), "staff-ana")
        await inspect_device(command, service.unit_of_work(), under_test.clock, under_test.policy)
    figure = await grading_accuracy(service.unit_of_work(), shop)
    assert (figure.checked, figure.accurate, figure.rate) == (2, 1, 0.5)
    kept = await trade_in_view(service.unit_of_work(), shop_trade_in_id(optimistic.drop_off_id))
    assert (kept.status, kept.paid, kept.grade) == ("settled_at_shop", optimistic.payout.value(), "fair")
    checks = {e.trade_in_id: e for e in await service.published(contract.ShopGradingChecked) if e.shop_id == shop}
    assert checks[shop_trade_in_id(optimistic.drop_off_id)].accurate is False
    assert checks[shop_trade_in_id(accurate.drop_off_id)].accurate is True
    assert [e for e in await service.published(contract.CounterOfferMade) if e.trade_in_id in checks] == []


async def test_a_repair_left_at_a_shop_is_not_a_trade_in(under_test: TradeInUnderTest) -> None:
    service, shop = under_test.service, _shop()
    repair = store.RepairDroppedOff(
        drop_off_id=f"DO-{uuid.uuid4().hex[:12]}",
        shop_id=shop,
        channel="own_shop",
        market="FR",
        device=store.DroppedDevice(unit_id="U-r", identifier=DeviceIdentifier(kind="serial", value="C02XK1ABJG5H")),
        issue="cracked screen",
        dropped_off_at=under_test.clock.now(),
        pos_transaction_id="POS-r",
    )
    marker = _drop_off(under_test, shop)
    await service.deliver(repair, marker, producer="store-sync")
    recorded = [e for e in await service.published(contract.ShopTradeInRecorded) if e.shop_id == shop]
    assert [e.drop_off_id for e in recorded] == [marker.drop_off_id]


async def test_a_drop_off_whose_imei_is_no_imei_is_dead_lettered_with_the_reason(
    under_test: TradeInUnderTest,
) -> None:
    service, shop = under_test.service, _shop()
    bad = luhn_imei(12345)
    bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)
    event = _drop_off(under_test, shop, imei=bad)
    await service.deliver(event, producer="store-sync")
    letters = [d for d in await service.dead_letters() if event.drop_off_id in str(d)]
    assert len(letters) == 1
    assert "check digit" in str(letters[0])
