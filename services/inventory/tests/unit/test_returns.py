"""Returns on the in-memory twin: back at the return location, not sellable before inspection."""

from __future__ import annotations

import pytest

from inventory.domain.commands import ApplyReturn, ReturnedLine
from inventory.domain.errors import InvalidSale
from inventory.service_layer.returns import apply_return
from reloop_contracts import inventory as contract
from services.inventory.tests.fakes import Twin


def _sold() -> Twin:
    twin = Twin()
    twin.location("paris-shop")
    twin.location("lyon-shop")
    twin.sku("IPH13")
    twin.unit("U1", "IPH13", "paris-shop", status="sold", sale_id="S1", sale_channel="online")
    return twin


def _return(return_id: str, sale_id: str, unit_id: str) -> ApplyReturn:
    line = ReturnedLine("1", "refurbished_device", "IPH13", 1, unit_id)
    return ApplyReturn(return_id, sale_id, "online", "lyon-shop", Twin().clock.now(), (line,))


async def test_a_returned_unit_comes_back_where_it_was_returned_and_waits_for_inspection() -> None:
    twin = _sold()
    assert await apply_return(_return("RET-1", "S1", "U1"), twin.uow(), twin.clock) == "applied"
    unit = twin.tables.units["U1"]
    assert (unit.status, unit.location_id, unit.sale_id) == ("returned", "lyon-shop", None)
    [received] = twin.store.published(contract.ReturnReceived)
    assert received.unit_ids == ["U1"]
    assert await apply_return(_return("RET-1", "S1", "U1"), twin.uow(), twin.clock) == "duplicate"


async def test_a_return_of_a_unit_another_sale_sold_is_refused_and_applies_nothing() -> None:
    twin = _sold()
    with pytest.raises(InvalidSale) as refused:
        await apply_return(_return("RET-1", "S2", "U1"), twin.uow(), twin.clock)
    assert refused.value.field == "lines.unit_id"
    assert twin.tables.units["U1"].status == "sold"
    assert twin.tables.applied_returns == {}
