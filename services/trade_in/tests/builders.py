"""Ready-made devices, grid prices and commands for the trade-in tests (a plain module)."""

from __future__ import annotations

from datetime import date

from reloop_contracts.amounts import Money
from reloop_localstack.testing import luhn_imei
from services.trade_in.tests.fakes import TradeInTwin
from trade_in.domain import commands
from trade_in.domain.devices import DeviceIdentifier
from trade_in.domain.events import Answers, Condition, PayoutMethod
from trade_in.domain.grades import Grade
from trade_in.domain.pricing import GridEntry, GridKey
from trade_in.domain.trade_ins import TradeIn
from trade_in.service_layer.inspection import inspect_device
from trade_in.service_layer.intake import receive_device
from trade_in.service_layer.quotes import accept_quote, quote_trade_in

FAMILY = "iphone-13"
RELEASED = date(2026, 3, 1)
"""The model came out the day before the twin's clock starts: no age decay unless a test moves on."""
PRICES: dict[Grade, int] = {"excellent": 40000, "very_good": 35000, "good": 30000, "fair": 20000}
ANSWERS = Answers("light_scratches", "light_scratches", 91, True, True, True)


def imei(n: int) -> DeviceIdentifier:
    return DeviceIdentifier("imei", luhn_imei(n))


def grid(market: str = "FR", currency: str = "EUR") -> list[GridEntry]:
    return [
        GridEntry(GridKey(market, FAMILY, 128, grade), Money(price, currency), RELEASED, 200, Money(5000, currency))
        for grade, price in PRICES.items()
    ]


async def with_grid(twin: TradeInTwin) -> TradeInTwin:
    async with twin.unit_of_work() as uow:
        for entry in grid():
            await uow.price_grid.put(entry)
        await uow.commit()
    return twin


def quote_command(
    *,
    customer_id: str | None = "cust-1",
    identifier: DeviceIdentifier | None = None,
    grade: Grade = "excellent",
    market: str = "FR",
) -> commands.QuoteTradeIn:
    return commands.QuoteTradeIn(
        market,
        customer_id,
        "online",
        None,
        FAMILY,
        128,
        "smartphone",
        identifier,
        Condition(grade, ANSWERS),
        f"customer:{customer_id}",
    )


async def quoted(
    twin: TradeInTwin,
    *,
    customer_id: str | None = "cust-1",
    identifier: DeviceIdentifier | None = None,
    grade: Grade = "excellent",
) -> TradeIn:
    command = quote_command(customer_id=customer_id, identifier=identifier, grade=grade)
    return await quote_trade_in(command, twin.unit_of_work(), twin.clock, twin.policy)


async def accepted(twin: TradeInTwin, trade_in_id: str, method: PayoutMethod = "bank_transfer") -> TradeIn:
    command = commands.AcceptQuote(trade_in_id, method, "PARCEL-1", "cust-1", "customer:cust-1")
    return await accept_quote(command, twin.unit_of_work(), twin.clock)


async def received(
    twin: TradeInTwin, trade_in_id: str, identifier: DeviceIdentifier, *, locked: bool = False
) -> TradeIn:
    command = commands.ReceiveDevice(trade_in_id, "centre-lyon", identifier, locked, "staff-ana")
    return await receive_device(command, twin.unit_of_work(), twin.clock)


async def inspected(twin: TradeInTwin, trade_in_id: str, grade: Grade, *findings: str) -> TradeIn:
    command = commands.InspectDevice(trade_in_id, grade, findings, "staff-ana")
    return await inspect_device(command, twin.unit_of_work(), twin.clock, twin.policy)


async def ready_to_pay(
    twin: TradeInTwin, identifier: DeviceIdentifier, method: PayoutMethod = "bank_transfer"
) -> TradeIn:
    """A trade-in quoted, accepted, received and inspected as declared (excellent)."""
    trade_in = await quoted(twin, identifier=identifier)
    await accepted(twin, trade_in.trade_in_id, method)
    await received(twin, trade_in.trade_in_id, identifier)
    return await inspected(twin, trade_in.trade_in_id, "excellent")


def stored(twin: TradeInTwin, trade_in_id: str) -> TradeIn:
    return twin.tables.trade_ins[trade_in_id]
