"""The one HTTP edge answers domain refusals by their kind; the clock and money values behave."""

from __future__ import annotations

import errno
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI

from reloop_contracts import Money as WireMoney
from reloop_contracts.amounts import InvalidMoney, Money, total
from reloop_shared.clock import FixedClock
from reloop_shared.errors import DomainError, ErrorKind
from reloop_shared.http.errors import STATUS_OF_KIND, install_error_handlers


class NoSuchCart(DomainError):
    kind = ErrorKind.NOT_FOUND


class CartCheckedOut(DomainError):
    kind = ErrorKind.CONFLICT


class TooManyUnits(DomainError):
    pass


async def answer_to(error: Exception) -> httpx.Response:
    """What the edge answers when a route lets `error` through."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refuse")
    async def refuse() -> None:
        raise error

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://edge") as client:
        return await client.get("/refuse")


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NoSuchCart("no cart c-1", field="cart_id"), 404),
        (CartCheckedOut("the cart is checked out", field="cart_id"), 409),
        (TooManyUnits("at most 5 units", field="lines.0.quantity"), 422),
    ],
)
async def test_a_domain_error_is_answered_with_the_status_of_its_kind_and_names_its_field(
    error: DomainError, status: int
) -> None:
    response = await answer_to(error)
    assert response.status_code == status
    body = response.json()
    assert body["error"] == type(error).__name__
    assert body["field"] == error.field
    assert body["message"] == str(error)


def test_every_kind_of_refusal_has_a_status() -> None:
    assert set(STATUS_OF_KIND) == set(ErrorKind)


def test_an_error_placed_under_a_batch_position_keeps_its_kind_and_message() -> None:
    moved = TooManyUnits("at most 5 units", field="quantity").under("lines.3")
    assert isinstance(moved, TooManyUnits)
    assert moved.field == "lines.3.quantity"


async def test_money_that_is_not_money_is_answered_422_on_its_field() -> None:
    response = await answer_to(InvalidMoney("'EUX' is not an ISO 4217 currency"))
    assert response.status_code == 422
    assert response.json()["field"] == "currency"


def test_money_adds_up_in_one_currency_and_refuses_to_mix_or_to_be_a_float() -> None:
    assert total([Money(1990, "EUR"), Money(45900, "EUR")], "EUR") == Money(47890, "EUR")
    assert str(Money(-1050, "EUR")) == "-10.50 EUR"
    assert str(Money(1200, "JPY")) == "1200 JPY"
    with pytest.raises(InvalidMoney):
        Money(100, "EUR") + Money(100, "USD")
    with pytest.raises(InvalidMoney):
        Money(19.9, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidMoney):
        Money(True, "EUR")
    with pytest.raises(InvalidMoney):
        Money(100, "EUX")


def test_the_wire_model_and_the_value_convert_both_ways() -> None:
    value = Money(45900, "EUR")
    wire = WireMoney.of(value)
    assert wire == WireMoney(amount_minor=45900, currency="EUR")
    assert wire.value() == value


def test_a_fixed_clock_stands_still_until_moved_and_tells_utc_only() -> None:
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    clock = FixedClock(start)
    assert clock.now() == clock.now() == start
    assert clock.advance(timedelta(minutes=15)) == start + timedelta(minutes=15)
    with pytest.raises(ValueError, match="UTC"):
        FixedClock(datetime(2026, 12, 5, 9, 0))


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        FileNotFoundError(errno.ENOENT, "No such file or directory"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        asyncpg.InterfaceError("cannot call Connection.fetch(): connection is closed"),
        KafkaConnectionError("the broker is away"),
    ],
    ids=lambda e: type(e).__name__,
)
async def test_a_database_or_broker_away_for_a_moment_is_a_503_with_retry_after_not_a_500(error: Exception) -> None:
    response = await answer_to(error)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["error"] == "Unavailable"


async def test_a_database_error_that_will_not_heal_is_still_the_servers_fault() -> None:
    response = await answer_to(asyncpg.exceptions.UndefinedTableError('relation "carts" does not exist'))
    assert response.status_code == 500
    assert response.json() == {"error": "InternalError", "message": "internal server error"}
