"""Receipt at the centre: the hard checks put a trade-in on hold with the reason, and staff release it."""

from __future__ import annotations

import pytest

from reloop_contracts import trade_in as contract
from services.trade_in.tests.builders import accepted, imei, quoted, received, stored, with_grid
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.errors import InvalidTransition
from trade_in.service_layer.deny_list import deny_device
from trade_in.service_layer.intake import release_hold


async def _in_transit(twin: TradeInTwin, quoted_as: int | None = 5) -> str:
    trade_in = await quoted(twin, identifier=imei(quoted_as) if quoted_as is not None else None)
    await accepted(twin, trade_in.trade_in_id)
    return trade_in.trade_in_id


async def test_a_clean_device_is_received_with_its_tac_published() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    trade_in = await received(twin, trade_in_id, imei(5))
    assert (trade_in.status, trade_in.location_id) == ("received", "centre-lyon")
    [event] = twin.store.published(contract.DeviceReceived)
    assert (event.identifier.value, event.tac) == (imei(5).value, imei(5).value[:8])


async def test_a_deny_listed_device_goes_on_hold_with_the_reason_not_rejected() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    await deny_device(commands.DenyDevice(imei(5), "reported stolen", "staff"), twin.unit_of_work(), twin.clock)
    trade_in = await received(twin, trade_in_id, imei(5))
    assert (trade_in.status, trade_in.hold_reason, trade_in.hold_detail) == (
        "on_hold",
        "deny_listed",
        "reported stolen",
    )
    [held] = twin.store.published(contract.TradeInOnHold)
    assert (held.trade_in_id, held.reason) == (trade_in_id, "deny_listed")


async def test_an_activation_locked_device_goes_on_hold() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    assert (await received(twin, trade_in_id, imei(5), locked=True)).hold_reason == "activation_lock"


async def test_another_device_than_the_one_quoted_goes_on_hold_for_identity_mismatch() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin, quoted_as=5)
    trade_in = await received(twin, trade_in_id, imei(6))
    assert (trade_in.hold_reason, trade_in.device.identifier) == ("identity_mismatch", imei(6))


async def test_a_device_quoted_without_an_imei_takes_the_one_read_at_receipt() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin, quoted_as=None)
    trade_in = await received(twin, trade_in_id, imei(8))
    assert (trade_in.status, trade_in.device.identifier) == ("received", imei(8))


async def test_staff_release_a_hold_and_the_trade_in_goes_on_from_receipt_with_who_and_when() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    await received(twin, trade_in_id, imei(5), locked=True)
    released = await release_hold(commands.ReleaseHold(trade_in_id, "staff-bob"), twin.unit_of_work(), twin.clock)
    assert (released.status, released.hold_reason) == ("received", None)
    last = released.history[-1]
    assert (last.from_status, last.to_status, last.by, last.at) == (
        "on_hold",
        "received",
        "staff-bob",
        twin.clock.now(),
    )
    [event] = twin.store.published(contract.TradeInReleased)
    assert event.released_by == "staff-bob"


async def test_releasing_a_trade_in_that_is_not_on_hold_is_a_conflict_naming_its_state() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    with pytest.raises(InvalidTransition, match="in_transit"):
        await release_hold(commands.ReleaseHold(trade_in_id, "staff-bob"), twin.unit_of_work(), twin.clock)


async def test_a_device_cannot_be_received_twice() -> None:
    twin = await with_grid(TradeInTwin())
    trade_in_id = await _in_transit(twin)
    await received(twin, trade_in_id, imei(5))
    with pytest.raises(InvalidTransition, match="received"):
        await received(twin, trade_in_id, imei(5))
    assert [h.to_status for h in stored(twin, trade_in_id).history].count("received") == 1
