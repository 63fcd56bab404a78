"""A bought device refurbished and graded for resale becomes the unit inventory will receive."""

from __future__ import annotations

import pytest

from reloop_contracts import trade_in as contract
from services.trade_in.tests.builders import imei, ready_to_pay, with_grid
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.errors import AlreadyReady, InvalidTransition
from trade_in.service_layer.payouts import pay_out
from trade_in.service_layer.refurbishment import mark_ready_for_sale


def _ready(trade_in_id: str) -> commands.MarkReadyForSale:
    return commands.MarkReadyForSale(trade_in_id, "IP13-128-BLK-EXC", "excellent", "staff-ana")


async def test_a_paid_device_ready_for_sale_is_announced_as_a_unit_keeping_its_origin_and_cost() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(21))
    await pay_out(commands.PayOut(trade_in.trade_in_id, "staff"), twin.unit_of_work(), twin.clock, twin.policy)
    ready = await mark_ready_for_sale(_ready(trade_in.trade_in_id), twin.unit_of_work(), twin.clock, lambda: "unit-1")
    assert ready.unit_id == "unit-1"
    [unit] = twin.store.published(contract.TradeInUnitReady)
    assert (unit.trade_in_id, unit.unit_id, unit.sku, unit.identifier.value, unit.acquired_for.amount_minor) == (
        trade_in.trade_in_id,
        "unit-1",
        "IP13-128-BLK-EXC",
        imei(21).value,
        40000,
    )


async def test_a_device_not_paid_for_is_not_put_up_for_sale() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(22))
    with pytest.raises(InvalidTransition, match="inspected"):
        await mark_ready_for_sale(_ready(trade_in.trade_in_id), twin.unit_of_work(), twin.clock)


async def test_a_device_becomes_one_unit_only() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in = await ready_to_pay(twin, imei(23))
    await pay_out(commands.PayOut(trade_in.trade_in_id, "staff"), twin.unit_of_work(), twin.clock, twin.policy)
    await mark_ready_for_sale(_ready(trade_in.trade_in_id), twin.unit_of_work(), twin.clock)
    with pytest.raises(AlreadyReady):
        await mark_ready_for_sale(_ready(trade_in.trade_in_id), twin.unit_of_work(), twin.clock)
